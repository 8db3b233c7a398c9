"""Someone who knows a customer's address cannot keep the customer out, and an expired
code is named so without costing a try."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from accounts.models import SignInEvent
from tests.accounts.conftest import START, code_error
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("guess_limits")]

CUSTOMER = "owner@example.com"
ATTACKER_IP = "203.0.113.66"
CUSTOMER_IP = "198.51.100.7"


def _attack_until_blocked(request_code, clock) -> list[str]:
    """Wrong codes for the customer's address from the attacker's network, a fresh browser
    for each code, as fast as the rules allow, until the address's daily cap is reached."""
    answers: list[str] = []
    while not any("Too many wrong codes" in answer for answer in answers) and len(answers) < 40:
        browser = Client(REMOTE_ADDR=ATTACKER_IP)
        clock.shift(timedelta(seconds=61))
        request_code(browser, CUSTOMER)
        for _try in range(5):
            answers.append(code_error(browser.post("/login/verify/", {"code": "000000"})))
            over = len(answers) - 10
            wait = timedelta(seconds=20 if over < 0 else min(3600, 60 * 2**over) + 1)
            clock.shift(wait)
            if wait > timedelta(minutes=5):
                break  # this browser's code would expire during the wait: the next one asks anew
    return answers


def test_an_attackers_wrong_codes_do_not_block_the_customers_browser(request_code):
    customer = CustomerFactory(email=CUSTOMER)
    with time_machine.travel(START, tick=False) as clock:
        answers = _attack_until_blocked(request_code, clock)
        attacker_again = Client(REMOTE_ADDR=ATTACKER_IP)
        clock.shift(timedelta(seconds=61))
        request_code(attacker_again, CUSTOMER)
        still_refused = attacker_again.post("/login/verify/", {"code": "000000"})
        clock.shift(timedelta(seconds=61))
        own_browser = Client(REMOTE_ADDR=CUSTOMER_IP)
        _, code = request_code(own_browser, CUSTOMER)
        signed_in = own_browser.post("/login/verify/", {"code": code})

    assert "Too many wrong codes" in answers[-1]
    assert "Too many wrong codes" in code_error(still_refused)
    assert signed_in["Location"] == "/rma/"
    assert own_browser.session["_auth_user_id"] == str(customer.pk)


def test_a_customers_own_wrong_code_is_still_counted_while_an_attack_runs(request_code):
    CustomerFactory(email=CUSTOMER)
    with time_machine.travel(START, tick=False) as clock:
        _attack_until_blocked(request_code, clock)
        clock.shift(timedelta(seconds=61))
        own_browser = Client(REMOTE_ADDR=CUSTOMER_IP)
        _, code = request_code(own_browser, CUSTOMER)
        typo = code_error(own_browser.post("/login/verify/", {"code": f"{(int(code) + 1) % 1_000_000:06d}"}))
        clock.shift(timedelta(seconds=2))
        after_typo = code_error(own_browser.post("/login/verify/", {"code": code}))

    # Once this browser has failed too, the address's limits hold it like any other.
    assert "not the right one" in typo
    assert "Too many wrong codes" in after_typo


def test_asking_for_codes_every_minute_does_not_shut_out_the_customer(request_code):
    customer = CustomerFactory(email=CUSTOMER)
    own_browser = Client(REMOTE_ADDR=CUSTOMER_IP)
    with time_machine.travel(START, tick=False) as clock:
        _, code = request_code(own_browser, CUSTOMER)
        for _minute in range(10):
            clock.shift(timedelta(seconds=61))
            _, sent = request_code(Client(REMOTE_ADDR=ATTACKER_IP), CUSTOMER)
            assert sent is not None  # each request did send a newer code, to another browser
        response = own_browser.post("/login/verify/", {"code": code})

    assert response["Location"] == "/rma/"
    assert own_browser.session["_auth_user_id"] == str(customer.pk)


def test_a_new_code_in_the_same_browser_still_voids_the_previous_one(request_code):
    CustomerFactory(email=CUSTOMER)
    own_browser = Client(REMOTE_ADDR=CUSTOMER_IP)
    with time_machine.travel(START, tick=False) as clock:
        _, first = request_code(own_browser, CUSTOMER)
        clock.shift(timedelta(seconds=61))
        request_code(Client(REMOTE_ADDR=ATTACKER_IP), CUSTOMER)
        clock.shift(timedelta(seconds=61))
        _, second = request_code(own_browser, CUSTOMER, resend=True)
        refused = own_browser.post("/login/verify/", {"code": first})
        clock.shift(timedelta(seconds=5))
        accepted = own_browser.post("/login/verify/", {"code": second})

    assert "replaced it" in code_error(refused)
    assert accepted["Location"] == "/rma/"


def test_an_expired_code_says_it_expired_and_costs_no_try(request_code):
    customer = CustomerFactory(email=CUSTOMER)
    browser = Client(REMOTE_ADDR=CUSTOMER_IP)
    with time_machine.travel(START, tick=False) as clock:
        _, old_code = request_code(browser, CUSTOMER)
        clock.shift(timedelta(minutes=16))
        _, new_code = request_code(browser, CUSTOMER, resend=True)
        expired = browser.post("/login/verify/", {"code": old_code})
        wrong = code_error(browser.post("/login/verify/", {"code": f"{(int(new_code) + 1) % 1_000_000:06d}"}))

    page = expired.content.decode()
    assert "has expired" in code_error(expired)
    assert "not the right one" not in page
    assert 'name="resend"' in page  # the way to a new code is on the page
    assert "(4 tries left)" in wrong  # the expired code did not use up a try
    kinds = list(SignInEvent.objects.filter(user=customer).values_list("kind", flat=True))
    assert kinds.count(SignInEvent.Kind.CODE_EXPIRED) == 1
    assert kinds.count(SignInEvent.Kind.CODE_FAILED) == 1


def test_a_code_past_its_validity_in_its_own_sign_in_says_it_expired(request_code):
    CustomerFactory(email=CUSTOMER)
    browser = Client(REMOTE_ADDR=CUSTOMER_IP)
    with time_machine.travel(START, tick=False) as clock:
        _, code = request_code(browser, CUSTOMER)
        clock.shift(timedelta(minutes=15, seconds=1))
        response = browser.post("/login/verify/", {"code": code})

    assert "it has expired" in code_error(response)
    assert "Send a new code" in code_error(response)
