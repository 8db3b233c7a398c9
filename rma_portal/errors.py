"""
The pages for a bad request, a refusal, a missing page, a failed CSRF check and a server
error, in the portal's layout, with a way back and the support address.

Each page is rendered in three tries, from the richest to the safest: the full layout with
the request (navigation, language switch; it reads the session and the user), then the
plain layout (``base_plain.html``: its context only, no database, session or user), then
a fixed page built here. The page for a server error starts at the plain layout, since
the error may be the database itself; whatever fails, the visitor gets an answer.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

from rma_portal.portal_name import portal_name, portal_name_lazy

logger = logging.getLogger(__name__)


def _stylesheet_url() -> str:
    try:
        return static("css/site.css")
    except Exception:  # a manifest without the file: the page still comes, unstyled
        return settings.STATIC_URL + "css/site.css"


def plain_context(extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """What ``base_plain.html`` needs, taken from the settings alone."""
    return {
        "PORTAL_NAME": portal_name_lazy(),
        "SUPPORT_EMAIL": settings.SUPPORT_EMAIL,
        "stylesheet_url": _stylesheet_url(),
        **(extra or {}),
    }


def _fixed_page(status: int) -> str:
    """The last resort: no template, no translation catalogue needed."""
    try:
        title = _("Something went wrong") if status >= 500 else _("This page cannot be shown")
        back = _("Go to the start page")
        write = _("Write to us:")
    except Exception:
        title, back, write = "Something went wrong", "Go to the start page", "Write to us:"
    email = escape(settings.SUPPORT_EMAIL)
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · {escape(portal_name())}</title></head><body>"
        f'<main><h1>{escape(title)}</h1><p><a href="/">{escape(back)}</a></p>'
        f'<p>{escape(write)} <a href="mailto:{email}">{email}</a></p></main></body></html>'
    )


def render_error_page(
    request: HttpRequest | None,
    template_name: str,
    status: int,
    context: Mapping[str, Any] | None = None,
    *,
    with_request: bool = True,
) -> HttpResponse:
    """The error page ``template_name`` with ``status``, falling back as the module says."""
    html = None
    if with_request and request is not None:
        try:
            html = loader.get_template(template_name).render(plain_context(context), request)
        except Exception:
            logger.exception("The %s page could not be rendered with its request", status)
    if html is None:
        try:
            plain = plain_context({**(context or {}), "layout": "base_plain.html"})
            html = loader.get_template(template_name).render(plain)
        except Exception:
            logger.exception("The %s page could not be rendered", status)
            html = _fixed_page(status)
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400: the request could not be understood (a bad host name or a malformed form)."""
    # A bad request may carry a host name Django refuses: nothing here reads it.
    return render_error_page(request, "400.html", 400, with_request=False)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: the page exists but is not open to this visitor."""
    return render_error_page(request, "403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: nothing at this address, or nothing this visitor may see."""
    return render_error_page(request, "404.html", 404)


def server_error(request: HttpRequest | None = None) -> HttpResponse:
    """500: rendered without the request, so a database that is down cannot stop it."""
    return render_error_page(request, "500.html", 500, with_request=False)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check: most often a page left open too long or blocked cookies."""
    return render_error_page(request, "403_csrf.html", 403, {"form_page": request.path})
