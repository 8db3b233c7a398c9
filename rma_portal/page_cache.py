"""
The customer's case pages, rendered once and served from the cache until something of
theirs changes.

A page is stored under the customer's *data version*: a random token in the cache that is
replaced, when the change is made and again when its transaction commits, whenever a row
a customer page shows is saved or deleted (a case, or anything that points at one: items,
events, messages, returns, payments, receipts). Every change to a case goes through
its app's services (``rma.cases.services``, ``rma.required.services``, ``payments.services``)
and writes a ``CaseEvent`` in the same transaction, so the version moves
with every visible change even when a service updates rows in bulk. A warehouse change,
or a new release of the code and templates, moves every customer's pages on at once.

A page served from the cache reads the session and three keys from the cache, and nothing
from the database. The customer is the one the session names: the key holds their id and
the session's authentication hash, and any save or deletion of the user (deactivated,
password or address changed) retires their pages, so only a session Django's own check
accepted when the page was rendered finds it. Everything else goes through the view and
its full authentication.

The page is stored with a placeholder where its forms carry the CSRF token; each response,
cached or fresh, gets a token of its own browser's secret instead. The key holds the
language; a page with flash messages to show is never cached. Entries expire after
``CUSTOMER_PAGE_CACHE_SECONDS`` in any case, for what depends on the clock alone (an
overdue deadline). Setting it to 0 turns the cache off.

Redis is a cache here, never a reason to fail: when it cannot be reached, pages are
rendered afresh and stored nowhere, and a change still commits. A version that could not be
replaced is owed: the process that failed to retire it moves every customer's pages on
(the shared version) at its next request that reaches Redis, so no page from before the
change is served once Redis is back. Should that process end first, the page's own expiry
bounds what is left.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from rma_portal.cache import CACHE_UNREACHABLE, report_unreachable, unless_unreachable

VERSION_KEY = "rma:pages:version:{customer_id}"
SHARED_VERSION_KEY = "rma:pages:version:shared"
PAGE_KEY = "rma:pages:{release}:{shared}:{version}:{customer_id}:{auth}:{language}:{path}"
# Apps whose models a customer page shows.
PAGE_APPS = ("rma", "payments")


def _release_token() -> str:
    """A fingerprint of the code, templates and static files: a deploy starts afresh."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    for folder in ("templates", "static", *PAGE_APPS):
        for path in sorted((base / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path.relative_to(base)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


RELEASE = _release_token()


def _new_version(key: str) -> str:
    version = uuid.uuid4().hex[:16]
    cache.set(key, version, timeout=None)
    return version


def _current_versions(*keys: str) -> list[str]:
    # A version evicted from the cache is simply a new one: pages cached under the old
    # one are never found again.
    found = cache.get_many(keys)
    return [found.get(key) or _new_version(key) for key in keys]


class _OwedRetirement:
    """Whether this process failed to retire a version and owes every page a new one."""

    owed = False

    @classmethod
    def settle(cls) -> None:
        if cls.owed:
            _new_version(SHARED_VERSION_KEY)  # raises while Redis is still away
            cls.owed = False


def _retire_now(key: str) -> None:
    try:
        _new_version(key)
    except CACHE_UNREACHABLE as error:
        _OwedRetirement.owed = True
        report_unreachable("page cache", error)


def _retire(key: str) -> None:
    if not settings.CUSTOMER_PAGE_CACHE_SECONDS:
        return  # nothing is cached, so nothing to retire
    # Now, so the writer's own next page inside or right after the transaction is fresh;
    # and again after the commit, since a page rendered meanwhile from the data as it was
    # before the commit may have been stored under the version of the first step. Neither
    # may fail the change: a version Redis did not take is owed (_OwedRetirement).
    _retire_now(key)
    transaction.on_commit(lambda: _retire_now(key))


def customer_pages_changed(customer_id: int) -> None:
    """Retire every cached page of one customer."""
    _retire(VERSION_KEY.format(customer_id=customer_id))


def customers_pages_changed(customer_ids: Iterable[int]) -> None:
    """Retire every cached page of many customers at once (a batch of scheduled events)."""
    keys = [VERSION_KEY.format(customer_id=customer_id) for customer_id in customer_ids]
    if not keys or not settings.CUSTOMER_PAGE_CACHE_SECONDS:
        return

    def new_versions() -> None:
        cache.set_many({key: uuid.uuid4().hex[:16] for key in keys}, timeout=None)

    new_versions()
    transaction.on_commit(new_versions)


def all_pages_changed() -> None:
    """Retire every customer's cached pages."""
    _retire(SHARED_VERSION_KEY)


# --- Which customer a saved row belongs to ----------------------------------------------


def _customer_finder(model: type[Model]) -> Callable[[Model], int | None] | None:
    """How to get from a row of ``model`` to the customer whose pages show it, if they do."""
    case_model = apps.get_model("rma", "Case")
    if model is case_model:
        return lambda instance: instance.customer_id
    for field in model._meta.concrete_fields:
        if not field.is_relation or not field.many_to_one and not field.one_to_one:
            continue
        target = field.related_model
        if target is case_model:
            attname = field.attname
            return lambda instance, attname=attname: (
                case_model.objects.filter(pk=getattr(instance, attname))
                .values_list("customer_id", flat=True)
                .first()
            )
        case_field = next(
            (f for f in target._meta.concrete_fields if f.is_relation and f.related_model is case_model), None
        )
        if case_field is not None and target._meta.app_label in PAGE_APPS:
            attname, path = field.attname, f"{case_field.name}__customer_id"
            return lambda instance, target=target, attname=attname, path=path: (
                target.objects.filter(pk=getattr(instance, attname)).values_list(path, flat=True).first()
            )
    return None


def _page_data_changed(sender: type[Model], instance: Model, find_customer, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures being loaded
    customer_id = find_customer(instance)
    if customer_id is not None:
        customer_pages_changed(customer_id)


def _shared_data_changed(sender: type[Model], instance: Model, **kwargs) -> None:
    if not kwargs.get("raw"):
        all_pages_changed()


def _user_changed(sender: type[Model], instance: Model, **kwargs) -> None:
    if kwargs.get("raw") or kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # a sign-in changes nothing a page shows or a session is checked against
    customer_pages_changed(instance.pk)


def connect_signals() -> None:
    """Watch every model of the pages' apps; called once from ``RmaConfig.ready``."""
    for app_label in PAGE_APPS:
        for model in apps.get_app_config(app_label).get_models():
            find_customer = _customer_finder(model)
            if find_customer is None:
                continue
            handler, label = _handler(find_customer), model._meta.label
            post_save.connect(handler, sender=model, weak=False, dispatch_uid=f"pages:{label}:save")
            post_delete.connect(handler, sender=model, weak=False, dispatch_uid=f"pages:{label}:delete")
    warehouse = apps.get_model("rma", "Warehouse")
    post_save.connect(_shared_data_changed, sender=warehouse, dispatch_uid="pages:warehouse:save")
    post_delete.connect(_shared_data_changed, sender=warehouse, dispatch_uid="pages:warehouse:del")
    user = get_user_model()
    post_save.connect(_user_changed, sender=user, dispatch_uid="pages:user:save")
    post_delete.connect(_user_changed, sender=user, dispatch_uid="pages:user:delete")


def _handler(find_customer):
    def handler(sender, instance, **kwargs):
        _page_data_changed(sender, instance, find_customer, **kwargs)

    return handler


# --- The views' side --------------------------------------------------------------------

# Stands for the CSRF token in a stored page. Derived from the secret key, so nothing a
# customer or an agent writes can contain it.
CSRF_PLACEHOLDER = "csrf" + salted_hmac("rma.page_cache", "csrf-placeholder").hexdigest()[:40]
_CSRF_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: the placeholder as ``csrf_token`` while a page is rendered for the cache."""
    if getattr(request, "_page_cache_key", None):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


def _session_customer(request: HttpRequest) -> tuple[str, str] | None:
    """The user id the session is signed in as, and a digest of its authentication, unchecked."""
    session = request.session
    customer_id = session.get(SESSION_KEY)
    backend = session.get(BACKEND_SESSION_KEY)
    if not customer_id or backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    auth = hashlib.sha256(f"{backend}:{session.get(HASH_SESSION_KEY, '')}".encode()).hexdigest()[:16]
    return str(customer_id), auth


def _page_key(request: HttpRequest, signed_in: tuple[str, str] | None) -> str | None:
    """The cache key of this request's page, or ``None`` when it must be rendered afresh."""
    if not settings.CUSTOMER_PAGE_CACHE_SECONDS or request.method != "GET" or signed_in is None:
        return None  # the view sends them to sign in
    # Django's message storage keeps waiting messages in a cookie, else in the session.
    if "_messages" in request.session or "messages" in request.COOKIES:
        return None  # a flash message is waiting to be shown once
    customer_id, auth = signed_in
    versions = unless_unreachable("page cache", lambda: _versions_for(customer_id), None)
    if versions is None:
        return None  # Redis is away: the page is rendered afresh
    shared, version = versions
    return PAGE_KEY.format(
        release=RELEASE,
        shared=shared,
        version=version,
        customer_id=customer_id,
        auth=auth,
        language=get_language(),
        # Hashed: a query string of any length makes a key of one length.
        path=hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32],
    )


def _versions_for(customer_id: str) -> list[str]:
    _OwedRetirement.settle()
    return _current_versions(SHARED_VERSION_KEY, VERSION_KEY.format(customer_id=customer_id))


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie",))
    return response


def _with_csrf_token(request: HttpRequest, content: bytes) -> bytes:
    if _CSRF_PLACEHOLDER_BYTES not in content:
        return content
    return content.replace(_CSRF_PLACEHOLDER_BYTES, get_token(request).encode())


class CachedCustomerPageMixin:
    """
    Serve a signed-in customer's GET page from the cache; store what was rendered.

    Goes before ``LoginRequiredMixin``: a page found in the cache needs no user loaded.
    """

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        signed_in = _session_customer(request)
        key = _page_key(request, signed_in)
        if key is None:
            return _private(super().dispatch(request, *args, **kwargs))
        cached = unless_unreachable("page cache", lambda: cache.get(key), None)
        if cached is not None:
            content, content_type = cached
            return _private(HttpResponse(_with_csrf_token(request, content), content_type=content_type))

        request._page_cache_key = key
        try:
            response = super().dispatch(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response.render()
        finally:
            request._page_cache_key = None
        if response.streaming:
            return _private(response)
        # Stored only when Django's full check signed this very session in as the customer
        # of the key (it may instead have sent them to sign in, or found the session stale).
        if (
            response.status_code == 200
            and str(request.user.pk) == signed_in[0]
            and _session_customer(request) == signed_in
        ):
            entry = (response.content, response["Content-Type"])
            unless_unreachable(
                "page cache", lambda: cache.set(key, entry, settings.CUSTOMER_PAGE_CACHE_SECONDS), None
            )
        response.content = _with_csrf_token(request, response.content)
        return _private(response)
