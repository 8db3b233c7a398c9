"""Code guessing is capped per address across codes and browsers, alike for every address."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client

from accounts.models import LoginCodeDeviceManager, SignInEvent
from tests.accounts.conftest import START, code_error
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("guess_limits")]

KNOWN = "known@example.com"
UNKNOWN = "nobody@example.com"


def _wait_after(failures: int) -> timedelta:
    """Just past the longest wait the rules set after this many failures of one address."""
    if failures < 10:
        return timedelta(seconds=20)  # past the back-off of one sign-in (at most 8 s)
    return timedelta(seconds=min(3600, 60 * 2 ** (failures - 10)) + 1)


def _guess_until_blocked(request_code, address: str, clock) -> list[str]:
    """Wrong codes typed as fast as the rules allow, each browser until its code stops
    working or its pending sign-in would expire during the next wait: the answers."""
    answers = []
    while len(answers) < 35:
        browser = Client()
        clock.shift(timedelta(seconds=61))  # past the cooldown between two codes
        request_code(browser, address)
        for _try in range(5):
            answers.append(code_error(browser.post("/login/verify/", {"code": "000000"})))
            wait = _wait_after(len(answers))
            clock.shift(wait)
            if wait > timedelta(minutes=5):
                break
    return answers


def test_wrong_codes_across_codes_and_browsers_are_capped_per_address(request_code):
    CustomerFactory(email=KNOWN)
    with time_machine.travel(START, tick=False) as clock:
        _guess_until_blocked(request_code, KNOWN, clock)

    checked = SignInEvent.objects.filter(email=KNOWN, kind=SignInEvent.Kind.CODE_FAILED).count()
    assert checked == 30
    assert SignInEvent.objects.filter(email=KNOWN, kind=SignInEvent.Kind.ADDRESS_BLOCKED).count() == 1


def test_the_right_code_is_refused_while_the_address_is_blocked(request_code):
    CustomerFactory(email=KNOWN)
    with time_machine.travel(START, tick=False) as clock:
        _guess_until_blocked(request_code, KNOWN, clock)
        browser = Client()
        _, code = request_code(browser, KNOWN)
        refused = browser.post("/login/verify/", {"code": code})
        clock.shift(timedelta(hours=24))
        browser = Client()
        _, code = request_code(browser, KNOWN)
        accepted = browser.post("/login/verify/", {"code": code})

    assert "Too many wrong codes were typed for this address" in code_error(refused)
    assert accepted["Location"] == "/rma/"


def test_known_and_unknown_addresses_get_the_same_answers_all_the_way_to_the_cap(request_code):
    CustomerFactory(email=KNOWN)
    with time_machine.travel(START, tick=False) as clock:
        known = _guess_until_blocked(request_code, KNOWN, clock)
    with time_machine.travel(START, tick=False) as clock:
        unknown = _guess_until_blocked(request_code, UNKNOWN, clock)

    assert known == unknown
    assert "Too many wrong codes" in known[-1]


def _browser_with_code(request_code, clock) -> Client:
    browser = Client()
    clock.shift(timedelta(seconds=61))
    request_code(browser, UNKNOWN)
    return browser


def test_waits_grow_after_repeated_failures_of_one_address(request_code):
    with time_machine.travel(START, tick=False) as clock:
        first = _browser_with_code(request_code, clock)
        for _try in range(5):
            clock.shift(timedelta(seconds=20))
            first.post("/login/verify/", {"code": "000000"})
        second = _browser_with_code(request_code, clock)
        for _try in range(4):
            clock.shift(timedelta(seconds=20))
            second.post("/login/verify/", {"code": "000000"})
        third = _browser_with_code(request_code, clock)
        second.post("/login/verify/", {"code": "000000"})  # the tenth wrong code
        after_ten = code_error(third.post("/login/verify/", {"code": "000000"}))
        clock.shift(timedelta(seconds=61))
        eleventh = code_error(third.post("/login/verify/", {"code": "000000"}))
        after_eleven = code_error(third.post("/login/verify/", {"code": "000000"}))

    assert "Please wait 60 seconds" in after_ten
    assert "not the right one" in eleventh
    assert "Please wait 2 minutes" in after_eleven


def test_the_owner_is_told_by_email_when_their_address_is_blocked(
    request_code, django_capture_on_commit_callbacks
):
    CustomerFactory(email=KNOWN)
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(START, tick=False) as clock:
        _guess_until_blocked(request_code, KNOWN, clock)

    notices = [message for message in mail.outbox if "is paused for your address" in message.subject]
    assert len(notices) == 1
    assert notices[0].to == [KNOWN]


def test_no_notice_goes_to_an_address_without_an_account(request_code, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(START, tick=False) as clock:
        _guess_until_blocked(request_code, UNKNOWN, clock)

    assert not [message for message in mail.outbox if "is paused" in message.subject]


def test_a_stale_sign_in_never_uses_up_another_browsers_code(request_code):
    CustomerFactory(email=KNOWN)
    stale, live = Client(), Client()
    with time_machine.travel(START, tick=False) as clock:
        request_code(stale, KNOWN)
        clock.shift(timedelta(seconds=61))
        _, code = request_code(live, KNOWN)
        for _try in range(5):
            stale.post("/login/verify/", {"code": "000000"})
            clock.shift(timedelta(seconds=20))
        response = live.post("/login/verify/", {"code": code})

    assert response["Location"] == "/rma/"


@pytest.mark.parametrize("address", [KNOWN, UNKNOWN])
def test_a_second_browser_is_answered_alike_when_the_first_one_fails(request_code, address):
    CustomerFactory(email=KNOWN)
    first, second = Client(), Client()
    with time_machine.travel(START, tick=False) as clock:
        request_code(first, address)
        clock.shift(timedelta(seconds=61))
        request_code(second, address)
        first.post("/login/verify/", {"code": "000000"})
        answer = code_error(second.post("/login/verify/", {"code": "000000"}))

    assert "That code is not the right one" in answer
    assert "(4 tries left)" in answer


def test_a_check_that_fails_on_the_way_does_not_hold_up_the_next_try(request_code, monkeypatch):
    CustomerFactory(email=KNOWN)
    browser = Client()
    _, code = request_code(browser, KNOWN)

    def database_gone(self, **kwargs):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(LoginCodeDeviceManager, "use_code", database_gone)
        browser.raise_request_exception = False
        assert browser.post("/login/verify/", {"code": code}).status_code == 500

    assert browser.post("/login/verify/", {"code": code})["Location"] == "/rma/"
