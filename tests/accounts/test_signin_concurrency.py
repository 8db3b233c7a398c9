"""Concurrent guesses against one code, on PostgreSQL where the row lock is real."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.limits import ClientInfo
from accounts.models import LoginCodeDeviceManager, SignInEvent
from accounts.services import VerifyOutcome, login_code_request, login_code_verify
from tests.accounts.conftest import code_from_email
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CLIENT = ClientInfo(ip_address="192.0.2.20", user_agent="pytest")
GUESSES = 20


def test_twenty_concurrent_wrong_guesses_cannot_slip_past_the_throttle(monkeypatch):
    customer = CustomerFactory()
    pending = login_code_request(email=customer.email, client=CLIENT).pending
    code = code_from_email(mail.outbox[-1])
    wrong_codes = [f"{(int(code) + n) % 1_000_000:06d}" for n in range(1, GUESSES + 1)]

    # Count the guesses that reach the comparison of the code.
    compared = []
    compare_lock = threading.Lock()
    original_use = LoginCodeDeviceManager.use_code

    def counting_use(self, *, device_id, digest):
        with compare_lock:
            compared.append(digest)
        return original_use(self, device_id=device_id, digest=digest)

    monkeypatch.setattr(LoginCodeDeviceManager, "use_code", counting_use)
    start = threading.Barrier(GUESSES)
    outcomes = []

    def guess(wrong_code: str) -> None:
        try:
            start.wait()
            outcomes.append(login_code_verify(pending=pending, code=wrong_code, client=CLIENT).outcome)
        finally:
            connection.close()

    # The clock stands still: the back-off (1 s after the first failure) never ends.
    with time_machine.travel(timezone.now() + timedelta(seconds=5), tick=False):
        threads = [threading.Thread(target=guess, args=(wrong_code,)) for wrong_code in wrong_codes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert len(outcomes) == GUESSES
    failures_recorded = SignInEvent.objects.filter(kind=SignInEvent.Kind.CODE_FAILED).count()
    assert len(compared) == failures_recorded
    assert len(compared) == 1  # all that the back-off allows while the clock stands still
    assert outcomes.count(VerifyOutcome.WRONG) == 1
    assert outcomes.count(VerifyOutcome.THROTTLED) == GUESSES - 1
    assert VerifyOutcome.SIGNED_IN not in outcomes
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.CODE_REFUSED).count() == GUESSES - 1


@pytest.mark.services
def test_ten_browsers_asking_at_once_for_one_address_get_one_code(settings):
    from tests.conftest import redis_url_for_tests

    settings.CACHES = {
        "default": {"BACKEND": "rma_portal.cache.PortalRedisCache", "LOCATION": redis_url_for_tests()}
    }
    customer = CustomerFactory()
    start = threading.Barrier(10)
    results = []

    def ask() -> None:
        try:
            start.wait()
            results.append(login_code_request(email=customer.email, client=CLIENT))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(results) == 10
    assert [result.sent for result in results].count(True) == 1
    assert all(0 < result.retry_after <= 60 for result in results if not result.sent)
    codes_sent = [m for m in mail.outbox if customer.email in m.to]
    assert len(codes_sent) == 1
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.CODE_SENT).count() == 1
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.SEND_COOLDOWN).count() == 9
    sent = next(result for result in results if result.sent)
    code = code_from_email(codes_sent[0])
    signed_in = login_code_verify(pending=sent.pending, code=code, client=CLIENT)
    assert signed_in.outcome is VerifyOutcome.SIGNED_IN
