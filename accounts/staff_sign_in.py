"""
Limits and audit of the staff sign-in to the admin, held by what points at the attacker.

Failures are counted by the address typed, whether or not a member of staff has it, so a
refusal tells nothing about which addresses exist. No count of the address alone ever
refuses the browser its owner signs in from:

- Each browser (a signed cookie, ``StaffBrowser``) and each pair of address typed and client
  IP count their own failures: after ``STAFF_SIGN_IN_MAX_FAILURES`` in a row they wait
  ``STAFF_SIGN_IN_COOL_OFF`` seconds, twice as long after each further round (at most a
  day). A successful sign-in starts both counts again.
- A client IP may fail ``STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR`` times in an hour's window.
- An address may fail ``STAFF_SIGN_IN_ACCOUNT_FAILURES_PER_DAY`` times a day from browsers it
  never signed in from; past that, only the browsers it signed in from are checked.
- A browser the address signed in from before, with no failures of its own, is checked
  whatever the counts of its network and of the address: the right password and
  authenticator code from the owner's browser always get in. A new browser on a network without failures gets
  in too, while the address is under its daily cap.

A burst of ``STAFF_SIGN_IN_MAX_FAILURES`` failures of a staff address within the cool-off is
emailed to its owner, with what to do. Every failure and every sign-in is written to the
sign-in audit log.
"""

import hashlib
import math
import secrets
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing

from accounts.limits import ClientInfo, hit_ip_limit, ip_limit_reached
from accounts.models import SignInEvent, User
from accounts.services import sign_in_event_create
from rma_portal.cache import SharedCache, count_hit
from rma_portal.tasks import queue_after_commit

# Shared by every process; the database cache stands in while Redis is away.
cache = SharedCache("staff sign-in limits")

IP_ACTION = "staff-sign-in-failure"
DAY = 24 * 60 * 60
BROWSER_SALT = "accounts.staff-browser"
# How many addresses one browser remembers having signed in (a shared office computer).
KNOWN_ADDRESSES_KEPT = 8


def _address_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


@dataclass(frozen=True)
class StaffBrowser:
    """The browser trying to sign in: a random id, and the addresses it signed in before."""

    id: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    known: tuple[str, ...] = ()

    @classmethod
    def from_cookie(cls, value: str | None) -> "StaffBrowser":
        """The browser its signed cookie names, or a new one (no cookie, or a forged one)."""
        try:
            data = signing.loads(value or "", salt=BROWSER_SALT, max_age=365 * DAY)
            return cls(id=str(data["id"]), known=tuple(str(known) for known in data["known"]))
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return cls()

    def to_cookie(self) -> str:
        return signing.dumps({"id": self.id, "known": list(self.known)}, salt=BROWSER_SALT)

    def knows(self, email: str) -> bool:
        return _address_digest(email) in self.known

    def knowing(self, email: str) -> "StaffBrowser":
        digest = _address_digest(email)
        known = (digest, *(other for other in self.known if other != digest))
        return StaffBrowser(id=self.id, known=known[:KNOWN_ADDRESSES_KEPT])


def _browser_key(browser: StaffBrowser) -> str:
    return "accounts:staff:browser:" + hashlib.sha256(browser.id.encode()).hexdigest()[:32]


def _address_ip_key(email: str, client: ClientInfo) -> str:
    return f"accounts:staff:address-ip:{_address_digest(email)}:{client.ip_address or 'unknown'}"


def _address_day_key(email: str) -> str:
    return f"accounts:staff:address-day:{_address_digest(email)}"


def _burst_key(email: str) -> str:
    return f"accounts:staff:burst:{_address_digest(email)}"


def _wait_of(key: str, now: float) -> float:
    state = cache.get(key)
    return state["until"] - now if state else 0


def _count_failure(key: str, now: float) -> None:
    """One more failure in a row for ``key``; every ``STAFF_SIGN_IN_MAX_FAILURES`` of them
    start a wait, twice as long as the one before."""
    state = cache.get(key) or {"failures": 0, "until": 0.0}
    failures = state["failures"] + 1
    until = state["until"]
    rounds, rest = divmod(failures, settings.STAFF_SIGN_IN_MAX_FAILURES)
    if rounds and not rest:
        until = now + min(DAY, settings.STAFF_SIGN_IN_COOL_OFF * 2 ** (rounds - 1))
    cache.set(key, {"failures": failures, "until": until}, timeout=DAY + 60)


def _staff_member(email: str) -> User | None:
    return User.objects.with_email(email).filter(is_staff=True).first() if email else None


def staff_sign_in_wait(*, email: str, client: ClientInfo, browser: StaffBrowser) -> int:
    """Seconds before this browser may try to sign in with this address again; 0 if now."""
    now = time.time()
    browser_key = _browser_key(browser)
    if browser.knows(email) and not cache.get(browser_key):
        # The owner's own browser, without a failure: what others did elsewhere, or on the
        # same network, does not hold it back.
        return 0
    waits = [_wait_of(browser_key, now), _wait_of(_address_ip_key(email, client), now)]
    limit = settings.STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR
    waits.append(ip_limit_reached(action=IP_ACTION, ip_address=client.ip_address, limit=limit))
    day = cache.get(_address_day_key(email))
    if day and day["failures"] >= settings.STAFF_SIGN_IN_ACCOUNT_FAILURES_PER_DAY:
        waits.append(day["first"] + DAY - now)
    return max(0, math.ceil(max(waits)))


def staff_sign_in_refused(*, email: str, client: ClientInfo) -> None:
    """Audit a sign-in refused without a check, while a wait runs."""
    sign_in_event_create(
        kind=SignInEvent.Kind.STAFF_LOCKED_OUT, client=client, user=_staff_member(email), email=email[:254]
    )


def staff_sign_in_failed(*, email: str, client: ClientInfo, browser: StaffBrowser) -> None:
    """Count and audit a wrong password or authenticator code; tell the owner of a burst."""
    now = time.time()
    _count_failure(_browser_key(browser), now)
    _count_failure(_address_ip_key(email, client), now)
    hit_ip_limit(
        action=IP_ACTION, ip_address=client.ip_address, limit=settings.STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR
    )
    day_key = _address_day_key(email)
    day = cache.get(day_key)
    if not day or now >= day["first"] + DAY:
        day = {"first": now, "failures": 0}
    cache.set(day_key, {**day, "failures": day["failures"] + 1}, timeout=DAY + 60)
    member = _staff_member(email)
    sign_in_event_create(kind=SignInEvent.Kind.STAFF_FAILED, client=client, user=member, email=email[:254])
    burst = count_hit(_burst_key(email), settings.STAFF_SIGN_IN_COOL_OFF)
    if member is not None and burst == settings.STAFF_SIGN_IN_MAX_FAILURES:
        queue_after_commit("accounts.tasks.send_staff_sign_in_failures_notice", user_id=member.pk)


def staff_sign_in_succeeded(*, user: User, client: ClientInfo, browser: StaffBrowser) -> StaffBrowser:
    """Audit a staff sign-in, start this browser's and network's counts again, and return
    the browser, now known to have signed in as ``user``."""
    cache.delete_many([_browser_key(browser), _address_ip_key(user.email, client)])
    sign_in_event_create(kind=SignInEvent.Kind.STAFF_SIGNED_IN, client=client, user=user)
    return browser.knowing(user.email)
