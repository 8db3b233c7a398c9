"""
How many code guesses a pending sign-in and an address may make, kept in the shared cache.

Every rule here looks only at the browser's pending sign-in (its random binding) and at the
address typed, never at whether the address is a customer's: a known and an unknown address
are counted, delayed and blocked alike, so no answer tells them apart.

- A pending sign-in allows ``LOGIN_CODE_MAX_FAILURES`` wrong codes, with a back-off that
  doubles after each one (django-otp's rule, ``OTP_EMAIL_THROTTLE_FACTOR`` x 2^(n-1)). Its
  guesses are checked one at a time (a short lock in the cache), so parallel requests cannot
  slip past either limit. Another browser's pending sign-in for the same address has its own
  allowance: a stale one can never use up the live one's.
- An address allows ``LOGIN_ADDRESS_FAILURES_BEFORE_WAIT`` wrong codes across all its
  sign-ins and codes, then waits that start at ``LOGIN_ADDRESS_FIRST_WAIT`` seconds and
  double (at most an hour), and at most ``LOGIN_ADDRESS_MAX_FAILURES_PER_DAY`` in a day from
  the first failure. These waits and the cap hold back the browsers and networks the wrong
  codes came from: a guess is held by them when its pending sign-in has failed already, or
  when its client IP has typed a wrong code for the address that day. A browser with a
  fresh sign-in on a network without failures is checked whatever the address's count, so
  someone typing wrong codes elsewhere cannot keep the owner out: their guesses can only
  ever match codes sent to their own browser (the code is bound to it), and each such code
  costs a send, held by the address's cooldown and the per-IP send limit. A successful
  sign-in from a browser the limits held starts the address's count again; one that got
  past them leaves the count running, so the owner signing in does not free the attacker.

Decisions use the clock stored in the values, not the cache's expiry, which only cleans up.
"""

import hashlib
import math
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django_otp.plugins.otp_email.conf import settings as otp_email_settings

from rma_portal.cache import SharedCache, count_hit

# Shared by every process; the database cache stands in while Redis is away.
cache = SharedCache("sign-in guesses")

DAY = 24 * 60 * 60
LONGEST_ADDRESS_WAIT = 60 * 60
# Longer than any check of one code takes; only matters if a process dies mid-check.
CHECK_LOCK_SECONDS = 30


class GuessRefusal(Enum):
    LOCKED = "locked"  # this pending sign-in used up its wrong codes
    BLOCKED = "blocked"  # the address reached its daily cap
    THROTTLED = "throttled"  # a wait after failures, or another guess of this sign-in running


@dataclass(frozen=True)
class GuessGate:
    """Whether a guess may be checked now; if so, the caller must call ``guess_done``."""

    refusal: GuessRefusal | None
    retry_after: int = 0
    failures: int = 0  # wrong codes of this pending sign-in so far
    # The address's waits and cap did not apply: a fresh sign-in from a network without failures.
    clean: bool = False


@dataclass(frozen=True)
class GuessCount:
    failures: int  # wrong codes of this pending sign-in, this one included
    retry_after: int  # the wait before the next guess
    blocked_now: bool  # this failure reached the address's daily cap


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _keys(*, email: str, binding: str) -> tuple[str, str, str, str]:
    sign_in = _digest(binding)
    address = _digest(email.strip().lower())
    return (
        f"accounts:guess:lock:{sign_in}",
        f"accounts:guess:sign-in:{sign_in}",
        f"accounts:guess:address-count:{address}",
        f"accounts:guess:address:{address}",
    )


def _address_ip_key(*, email: str, ip_address: str | None) -> str:
    return f"accounts:guess:address-ip:{_digest(email.strip().lower())}:{_digest(ip_address or 'unknown')}"


def _sign_in_wait(failures: int) -> float:
    factor = otp_email_settings.OTP_EMAIL_THROTTLE_FACTOR
    return factor * 2 ** (failures - 1) if factor > 0 and failures else 0


def _address_wait(failures: int) -> float:
    over = failures - settings.LOGIN_ADDRESS_FAILURES_BEFORE_WAIT
    if over < 0:
        return 0
    return min(LONGEST_ADDRESS_WAIT, settings.LOGIN_ADDRESS_FIRST_WAIT * 2**over)


def _address_state(count_key: str, state_key: str, now: float) -> tuple[int, dict]:
    state = cache.get(state_key)
    if not state or now >= state["first"] + DAY:
        if state:  # the day is over: the address starts afresh
            cache.delete_many([count_key, state_key])
        return 0, {}
    return int(cache.get(count_key) or 0), state


def guess_begin(*, email: str, binding: str, ip_address: str | None, now: float) -> GuessGate:
    """Take the pending sign-in's check lock and say whether its guess may be compared."""
    lock_key, sign_in_key, count_key, state_key = _keys(email=email, binding=binding)
    if not cache.add(lock_key, now, timeout=CHECK_LOCK_SECONDS):
        return GuessGate(GuessRefusal.THROTTLED, retry_after=1)
    sign_in = cache.get(sign_in_key) or {"failures": 0, "not_before": 0.0}
    failures = sign_in["failures"]
    refusal, wait = None, 0.0
    address_failures, address = _address_state(count_key, state_key, now)
    clean = not failures and not cache.get(_address_ip_key(email=email, ip_address=ip_address))
    if clean:
        # Failures elsewhere say nothing about this browser: only its own limits apply.
        address_failures, address = 0, {}
    if failures >= settings.LOGIN_CODE_MAX_FAILURES:
        refusal = GuessRefusal.LOCKED
    elif address_failures >= settings.LOGIN_ADDRESS_MAX_FAILURES_PER_DAY:
        refusal, wait = GuessRefusal.BLOCKED, address["first"] + DAY - now
    else:
        address_not_before = address.get("last", 0.0) + _address_wait(address_failures)
        wait = max(sign_in["not_before"], address_not_before) - now
        if wait > 0:
            refusal = GuessRefusal.THROTTLED
    if refusal is not None:
        cache.delete(lock_key)
    return GuessGate(refusal, retry_after=max(0, math.ceil(wait)), failures=failures, clean=clean)


def guess_done(
    *, email: str, binding: str, ip_address: str | None, now: float, gate: GuessGate, matched: bool
) -> GuessCount:
    """Record the outcome of a guess ``guess_begin`` allowed (``gate``), and release the check lock."""
    lock_key, sign_in_key, count_key, state_key = _keys(email=email, binding=binding)
    address_ip_key = _address_ip_key(email=email, ip_address=ip_address)
    failures_before = gate.failures
    try:
        if matched:
            cache.delete_many(
                [sign_in_key, address_ip_key]
                if gate.clean
                else [sign_in_key, address_ip_key, count_key, state_key]
            )
            return GuessCount(failures=failures_before, retry_after=0, blocked_now=False)
        failures = failures_before + 1
        not_before = now + _sign_in_wait(failures)
        cache.set(
            sign_in_key,
            {"failures": failures, "not_before": not_before},
            timeout=settings.LOGIN_CODE_VALIDITY + 60,
        )
        address_failures = count_hit(count_key, DAY + 60)
        count_hit(address_ip_key, DAY + 60)
        address = cache.get(state_key) or {"first": now}
        cache.set(state_key, {**address, "last": now}, timeout=DAY + 60)
        wait = max(not_before, now + _address_wait(address_failures)) - now
        return GuessCount(
            failures=failures,
            retry_after=math.ceil(wait),
            blocked_now=address_failures == settings.LOGIN_ADDRESS_MAX_FAILURES_PER_DAY,
        )
    finally:
        cache.delete(lock_key)


def guess_abandon(*, email: str, binding: str) -> None:
    """Release the check lock of a guess that could not be compared (an error on the way)."""
    lock_key, _sign_in_key, _count_key, _state_key = _keys(email=email, binding=binding)
    cache.delete(lock_key)
