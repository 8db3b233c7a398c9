"""
The staff's permissions read once, not on every request: a staff member's permission sets
are kept in the cache and handed to Django's ``ModelBackend`` (which reads them from the
user object) before the view runs.

Any change that can change someone's permissions (a group's or a user's permissions, a
user's groups, a user saved, a permission or group added or removed) starts a new
generation, and every entry of an older one is read again from the database. Where the
cache is the database itself (no Redis), the middleware stands aside.

Redis going away never fails a request or a change: the permissions are then read from the
database as Django does, and a new generation Redis did not take is owed by this process and
started before it trusts the cache again (as the page cache owes its versions).
"""

from __future__ import annotations

import functools
import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.exceptions import MiddlewareNotUsed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse

from rma_portal.cache import CACHE_UNREACHABLE, report_unreachable

GENERATION = "permissions:generation"
TIMEOUT = 3600


def _entry_key(user) -> str:
    return f"permissions:user:{user.pk}"


def attach_permissions(user) -> None:
    """Give ``user`` (a staff member) their permission sets from the cache, reading them
    from the database (and keeping them) when the cache has none of this generation. With
    Redis away, nothing is attached and Django reads them from the database itself."""
    try:
        _OwedGeneration.settle()
        _attach_from_cache(user)
    except CACHE_UNREACHABLE as error:
        report_unreachable("permission cache", error)


def _attach_from_cache(user) -> None:
    found = cache.get_many([GENERATION, _entry_key(user)])
    generation = found.get(GENERATION) or ""
    entry = found.get(_entry_key(user))
    if entry is not None and entry[0] == generation:
        user._user_perm_cache, user._group_perm_cache = entry[1], entry[2]
    else:
        backend = ModelBackend()
        entry = (generation, backend.get_user_permissions(user), backend.get_group_permissions(user))
        cache.set(_entry_key(user), entry, TIMEOUT)
    user._perm_cache = {*entry[1], *entry[2]}


class _OwedGeneration:
    """Whether this process failed to start a new generation and owes one."""

    owed = False

    @classmethod
    def settle(cls) -> None:
        if cls.owed:
            cache.set(GENERATION, uuid.uuid4().hex, None)  # raises while Redis is still away
            cls.owed = False


def _start_generation() -> None:
    try:
        cache.set(GENERATION, uuid.uuid4().hex, None)
    except CACHE_UNREACHABLE as error:
        _OwedGeneration.owed = True
        report_unreachable("permission cache", error)


def new_generation(*args, **kwargs) -> None:
    """A change that may change someone's permissions: now, and again after the commit (a
    request meanwhile may have kept the permissions as they were before it)."""
    _start_generation()
    transaction.on_commit(_start_generation)


class PermissionCacheMiddleware:
    """Hands each signed-in staff member's permissions from the cache to the request's user
    in the back office."""

    def __init__(self, get_response) -> None:
        if isinstance(caches["default"], DatabaseCache):
            # Kept in the database, the cache would cost what it saves.
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        # The back office only: elsewhere the user is not even read (a customer's cached page
        # is served without it).
        if request.path.startswith(admin_prefix()):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and user.is_active and user.is_staff:
                attach_permissions(user)
        return self.get_response(request)


@functools.cache
def admin_prefix() -> str:
    return reverse("admin:index")


def connect_signals() -> None:
    user_model = get_user_model()
    links = (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through)
    for through in links:
        uid = f"permission_cache_{through.__name__}"
        m2m_changed.connect(new_generation, sender=through, dispatch_uid=uid)
    for model in (user_model, Group, Permission):
        uid = f"permission_cache_{model.__name__}"
        post_save.connect(new_generation, sender=model, dispatch_uid=f"{uid}_save")
        post_delete.connect(new_generation, sender=model, dispatch_uid=f"{uid}_delete")
