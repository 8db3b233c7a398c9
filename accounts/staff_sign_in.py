"""
Limits and audit of the staff sign-in to the admin: per client address and per account.

Failures are counted by the address typed, whether or not a member of staff has it, so a
lockout tells nothing about which addresses exist. ``STAFF_SIGN_IN_MAX_FAILURES`` wrong
tries in a row lock the address out for ``STAFF_SIGN_IN_COOL_OFF`` seconds; a client IP may
fail ``STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR`` times an hour. Every failure and every
sign-in is written to the sign-in audit log.
"""

import hashlib
import math
import time

from django.conf import settings

from accounts.limits import ClientInfo, hit_ip_limit, ip_limit_reached
from accounts.models import SignInEvent, User
from accounts.services import sign_in_event_create
from rma_portal.cache import SharedCache, count_hit

# Shared by every process; the database cache stands in while Redis is away.
cache = SharedCache("staff sign-in limits")

IP_ACTION = "staff-sign-in-failure"


def _account_keys(email: str) -> tuple[str, str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return f"accounts:staff:failures:{digest}", f"accounts:staff:locked-until:{digest}"


def _staff_member(email: str) -> User | None:
    return User.objects.with_email(email).filter(is_staff=True).first() if email else None


def staff_sign_in_wait(*, email: str, client: ClientInfo) -> int:
    """Seconds before this address, or this client IP, may try to sign in again; 0 if now."""
    _failures_key, locked_key = _account_keys(email)
    account_wait = (cache.get(locked_key) or 0) - time.time()
    ip_wait = 0
    limit = settings.STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR
    reached = ip_limit_reached(action=IP_ACTION, ip_address=client.ip_address, limit=limit)
    if reached:
        ip_wait = reached
    return max(0, math.ceil(max(account_wait, ip_wait)))


def staff_sign_in_refused(*, email: str, client: ClientInfo) -> None:
    """Audit a sign-in refused without a check, while a lockout runs."""
    sign_in_event_create(
        kind=SignInEvent.Kind.STAFF_LOCKED_OUT, client=client, user=_staff_member(email), email=email[:254]
    )


def staff_sign_in_failed(*, email: str, client: ClientInfo) -> None:
    """Count and audit a wrong password or authenticator code; lock the address out at the limit."""
    failures_key, locked_key = _account_keys(email)
    cool_off = settings.STAFF_SIGN_IN_COOL_OFF
    failures = count_hit(failures_key, cool_off * 4)
    hit_ip_limit(
        action=IP_ACTION, ip_address=client.ip_address, limit=settings.STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR
    )
    sign_in_event_create(
        kind=SignInEvent.Kind.STAFF_FAILED, client=client, user=_staff_member(email), email=email[:254]
    )
    if failures >= settings.STAFF_SIGN_IN_MAX_FAILURES:
        cache.set(locked_key, time.time() + cool_off, timeout=cool_off + 60)
        cache.delete(failures_key)


def staff_sign_in_succeeded(*, user: User, client: ClientInfo) -> None:
    """Audit a staff sign-in and start the address's count of failures again."""
    cache.delete(_account_keys(user.email)[0])
    sign_in_event_create(kind=SignInEvent.Kind.STAFF_SIGNED_IN, client=client, user=user)
