"""
Refuse, with a 400, what no page could store or look up: a NUL character anywhere in the
request.

PostgreSQL's text columns cannot hold NUL, so a NUL in the path, a query parameter, a form
field, a cookie or a header would otherwise reach the database and end as a server error
(a filter, a session look-up, the user agent written to an audit row). Bytes that are not
UTF-8 need nothing here: Django re-quotes them in the path and replaces them in parameters.
"""

import logging
from collections.abc import Callable, Iterable

from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

NUL = "\x00"


def _any_nul(values: Iterable[str]) -> bool:
    return any(NUL in value for value in values)


def _query_items(query: Iterable[tuple[str, list[str]]]) -> Iterable[str]:
    for key, values in query:
        yield key
        yield from values


def request_holds_nul(request: HttpRequest) -> bool:
    """Whether any part of ``request`` a view might read carries a NUL character."""
    headers = (
        value for key, value in request.META.items() if key.startswith("HTTP_") and isinstance(value, str)
    )
    if NUL in request.path_info or _any_nul(headers) or _any_nul(_query_items(request.GET.lists())):
        return True
    if _any_nul(request.COOKIES.keys()) or _any_nul(request.COOKIES.values()):
        return True
    if request.method == "POST" and request.content_type in {
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    }:
        return _any_nul(_query_items(request.POST.lists()))
    return False


def _bad_request() -> HttpResponse:
    return HttpResponseBadRequest(
        _(
            "This request holds a character or a value that is not allowed. "
            "Check the address or what you typed."
        ),
        content_type="text/plain; charset=utf-8",
    )


class RefuseUnstorableInputMiddleware:
    """
    Answer 400 before any view, session or database sees a request carrying NUL; and answer
    400 for a value the database (or Django's lookups on the way to it) could not hold,
    such as a filter on a year beyond any integer, instead of a server error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_holds_nul(request):
            return _bad_request()
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DataError | OverflowError):
            logger.warning("Refused a value the database cannot hold: %s", request.path, exc_info=exception)
            return _bad_request()
        return None
