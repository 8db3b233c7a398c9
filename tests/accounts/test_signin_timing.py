"""A wrong code takes as long for a known address as for an unknown one (PostgreSQL)."""

import statistics
import time

import pytest

from accounts.limits import ClientInfo
from accounts.services import PendingLogin, VerifyOutcome, login_code_issue, login_code_verify
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

CLIENT = ClientInfo(ip_address="192.0.2.30", user_agent="pytest")
TRIES = 150
WARM_UP = 10


def _pending(email: str) -> PendingLogin:
    return PendingLogin(email=email, binding=f"binding-{email}", expires_at=time.time() + 600)


def _timed_wrong_guess(pending: PendingLogin) -> float:
    started = time.perf_counter()
    result = login_code_verify(pending=pending, code="000000", client=CLIENT)
    elapsed = time.perf_counter() - started
    assert result.outcome is VerifyOutcome.WRONG
    return elapsed * 1000


def test_verify_timing_does_not_tell_known_from_unknown_addresses():
    known = []
    for number in range(TRIES + WARM_UP):
        customer = CustomerFactory(email=f"timing{number}@example.com")
        pending = _pending(customer.email)
        assert login_code_issue(email=customer.email, binding=pending.binding, client=CLIENT)
        known.append(pending)
    unknown = [_pending(f"nobody{number}@example.com") for number in range(TRIES + WARM_UP)]

    known_ms, unknown_ms = [], []
    # Interleaved, in pairs, so that a busy moment of the (shared) machine weighs on both
    # sides of a pair alike; which side goes first alternates.
    for number, (known_pending, unknown_pending) in enumerate(zip(known, unknown, strict=True)):
        if number % 2:
            known_time, unknown_time = _timed_wrong_guess(known_pending), _timed_wrong_guess(unknown_pending)
        else:
            unknown_time, known_time = _timed_wrong_guess(unknown_pending), _timed_wrong_guess(known_pending)
        if number >= WARM_UP:
            known_ms.append(known_time)
            unknown_ms.append(unknown_time)

    differences = [k - u for k, u in zip(known_ms, unknown_ms, strict=True)]
    difference = statistics.median(differences)
    print(
        f"\nwrong code, {TRIES} pairs: known {statistics.median(known_ms):.2f} ms, "
        f"unknown {statistics.median(unknown_ms):.2f} ms, median difference {difference:+.2f} ms"
    )
    # The audit measured 9 to 24 ms between the two paths (the known path took about four
    # times as long). What is left must be below a millisecond, or below 15 % of a check
    # when the shared machine is so busy that a check takes several times its usual time.
    typical = statistics.median(known_ms + unknown_ms)
    assert abs(difference) < max(1.0, 0.15 * typical)
