"""Customer sign-in by emailed code, as seen through the pages and the database."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from accounts.models import LoginCodeDevice, SignInEvent, User
from tests.accounts.conftest import START
from tests.factories import CustomerFactory, StaffFactory

pytestmark = pytest.mark.django_db

SIGNED_IN_REDIRECT = "/rma/"
NO_LONGER_WORKS = "This code no longer works"
STOPPED_WORKING = "has stopped working"
NOT_THE_RIGHT_ONE = "That code is not the right one"
REPLACED = "That is the code from an earlier email: the newer code we sent you replaced it."


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_code_is_accepted_14_minutes_59_seconds_after_sending(client, request_code):
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        _, code = request_code(client, customer.email)
        clock.shift(timedelta(minutes=14, seconds=59))
        response = client.post("/login/verify/", {"code": code})

    assert response.status_code == 302
    assert response["Location"] == SIGNED_IN_REDIRECT
    assert client.session["_auth_user_id"] == str(customer.pk)


def test_code_is_refused_15_minutes_1_second_after_sending(client, request_code):
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        _, code = request_code(client, customer.email)
        clock.shift(timedelta(minutes=15, seconds=1))
        response = client.post("/login/verify/", {"code": code})

    assert response.status_code == 200
    assert NO_LONGER_WORKS in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pasted_code_with_spaces_signs_in(client, request_code):
    customer = CustomerFactory()
    _, code = request_code(client, customer.email)

    response = client.post("/login/verify/", {"code": f" {code[:3]} {code[3:]} "})

    assert response["Location"] == SIGNED_IN_REDIRECT


def test_older_code_is_refused_after_a_new_one_is_sent(client, request_code):
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        _, first_code = request_code(client, customer.email)
        clock.shift(timedelta(seconds=61))
        response, second_code = request_code(client, customer.email, resend=True)
        assert response["Location"] == "/login/verify/"
        assert second_code is not None

        refused = client.post("/login/verify/", {"code": first_code})
        clock.shift(timedelta(seconds=5))
        accepted = client.post("/login/verify/", {"code": second_code})

    # Even if the new code repeats the old digits, the old email's code was bound to the
    # previous request and is refused, and named for what it is.
    assert refused.status_code == 200
    assert REPLACED in refused.content.decode()
    assert NOT_THE_RIGHT_ONE not in refused.content.decode()
    assert accepted["Location"] == SIGNED_IN_REDIRECT


def test_an_old_code_is_named_replaced_after_sending_again_from_the_first_page(client, request_code):
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        _, first_code = request_code(client, customer.email)
        clock.shift(timedelta(seconds=61))
        request_code(client, customer.email)
        refused = client.post("/login/verify/", {"code": first_code})

    assert REPLACED in refused.content.decode()
    assert "4 tries left" in refused.content.decode()  # it still counts as a wrong try


def test_a_wrong_code_after_a_resend_is_still_called_wrong(client, request_code):
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        _, first_code = request_code(client, customer.email)
        clock.shift(timedelta(seconds=61))
        _, second_code = request_code(client, customer.email, resend=True)
        guess = next(f"{n:06d}" for n in range(3) if f"{n:06d}" not in (first_code, second_code))
        response = client.post("/login/verify/", {"code": guess})

    assert NOT_THE_RIGHT_ONE in response.content.decode()
    assert REPLACED not in response.content.decode()


def test_an_old_code_from_another_browser_is_not_named_replaced(client, request_code):
    customer = CustomerFactory()
    other_browser = Client()
    with time_machine.travel(START, tick=False) as clock:
        _, other_code = request_code(other_browser, customer.email)
        clock.shift(timedelta(seconds=61))
        request_code(client, customer.email)
        clock.shift(timedelta(seconds=61))
        request_code(client, customer.email, resend=True)
        response = client.post("/login/verify/", {"code": other_code})

    # The other browser's code was replaced too, but this session never asked for it.
    assert NOT_THE_RIGHT_ONE in response.content.decode()
    assert REPLACED not in response.content.decode()


def test_after_a_resend_an_unknown_address_answers_like_a_known_one(client, request_code):
    customer = CustomerFactory()
    answers = []
    with time_machine.travel(START, tick=False) as clock:
        for email in (customer.email, "nobody@example.com"):
            browser = Client()
            request_code(browser, email)
            clock.shift(timedelta(seconds=61))
            request_code(browser, email, resend=True)
            response = browser.post("/login/verify/", {"code": "000000"})
            answers.append(response.content.decode().replace(email, "EMAIL"))

    known, unknown = answers
    assert NOT_THE_RIGHT_ONE in known
    assert re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", known) == re.sub(
        r'name="csrfmiddlewaretoken" value="[^"]+"', "", unknown
    )


def test_five_wrong_tries_void_the_code(client, request_code):
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        _, code = request_code(client, customer.email)
        pages = []
        for _attempt in range(5):
            pages.append(client.post("/login/verify/", {"code": wrong(code)}).content.decode())
            clock.shift(timedelta(seconds=30))  # past django-otp's back-off
        after_lock = client.post("/login/verify/", {"code": code})

    assert "4 tries left" in pages[0]
    assert STOPPED_WORKING in pages[4]
    assert STOPPED_WORKING in client.get("/login/verify/").content.decode()
    assert after_lock.status_code == 200
    assert STOPPED_WORKING in after_lock.content.decode()
    assert "_auth_user_id" not in client.session
    kinds = list(SignInEvent.objects.filter(user=customer).values_list("kind", flat=True))
    assert kinds.count(SignInEvent.Kind.CODE_FAILED) == 5
    assert kinds.count(SignInEvent.Kind.CODE_LOCKED) == 1
    assert SignInEvent.Kind.SIGNED_IN not in kinds


def test_a_wrong_try_is_followed_by_django_otp_back_off(client, request_code):
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        _, code = request_code(client, customer.email)
        client.post("/login/verify/", {"code": wrong(code)})
        too_soon = client.post("/login/verify/", {"code": code})
        clock.shift(timedelta(seconds=2))
        later = client.post("/login/verify/", {"code": code})

    assert "Please wait 1 second" in too_soon.content.decode()
    assert later["Location"] == SIGNED_IN_REDIRECT


def test_code_from_another_browser_session_is_refused(client, request_code):
    customer = CustomerFactory()
    other_browser = Client()
    with time_machine.travel(START, tick=False) as clock:
        request_code(other_browser, customer.email)
        clock.shift(timedelta(seconds=61))
        _, code = request_code(client, customer.email)

        # The other browser also waits on this address, but did not ask for this code.
        stolen = other_browser.post("/login/verify/", {"code": code})
        clock.shift(timedelta(seconds=5))
        own = client.post("/login/verify/", {"code": code})

    assert stolen.status_code == 200
    assert NOT_THE_RIGHT_ONE in stolen.content.decode()
    assert "_auth_user_id" not in other_browser.session
    assert own["Location"] == SIGNED_IN_REDIRECT


def test_code_without_a_pending_sign_in_in_this_session_goes_back_to_the_email_step(client, request_code):
    customer = CustomerFactory()
    _, code = request_code(Client(), customer.email)

    response = client.post("/login/verify/", {"code": code}, follow=True)

    assert response.redirect_chain[-1][0] == "/login/"
    assert "Start with your email address" in response.content.decode()
    assert "_auth_user_id" not in client.session


def _normalised(html: str, email: str) -> str:
    return html.replace(email, "ADDRESS")


def test_known_and_unknown_addresses_get_identical_responses(client, request_code):
    customer = CustomerFactory(email="known@example.com")
    unknown_client = Client()

    known_post, _ = request_code(client, customer.email)
    unknown_post, _ = request_code(unknown_client, "nobody@example.com")
    known_page = client.get("/login/verify/")
    unknown_page = unknown_client.get("/login/verify/")
    known_again, _ = request_code(client, customer.email)
    unknown_again, _ = request_code(unknown_client, "nobody@example.com")

    assert known_post.status_code == unknown_post.status_code == 302
    assert known_post["Location"] == unknown_post["Location"] == "/login/verify/"
    assert sorted(known_post.cookies) == sorted(unknown_post.cookies)
    assert known_page.status_code == unknown_page.status_code == 200
    known_html = _normalised(known_page.content.decode(), "known@example.com")
    unknown_html = _normalised(unknown_page.content.decode(), "nobody@example.com")
    # Only the CSRF token differs between two sessions.
    strip_tokens = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip_tokens.sub("", known_html) == strip_tokens.sub("", unknown_html)
    assert known_again["Location"] == unknown_again["Location"] == "/login/verify/"


def test_a_staff_address_gets_a_notice_and_nothing_is_created(client, request_code):
    staff = StaffFactory(email="team-member@example.com")
    users_before = User.objects.count()

    response, code = request_code(client, staff.email)

    assert response.status_code == 302
    assert code is None
    assert User.objects.count() == users_before
    assert LoginCodeDevice.objects.count() == 0
    (notice,) = mail.outbox
    assert notice.to == ["team-member@example.com"]
    assert "not linked to any RMA case" in notice.body
    assert "warranty-team@example.com" in notice.body
    assert not any(ch.isdigit() for ch in notice.subject)
    event = SignInEvent.objects.get()
    assert event.kind == SignInEvent.Kind.UNKNOWN_ADDRESS
    assert event.email == "team-member@example.com"


def test_a_first_time_address_gets_a_code_and_its_account_is_made_when_the_code_is_verified(
    client, request_code
):
    response, code = request_code(client, "first.claim@example.com")

    assert response.status_code == 302
    assert code is not None
    # Until the code is verified the address has no account: nothing active, nothing to sign in as.
    assert not User.objects.filter(email="first.claim@example.com", is_active=True).exists()

    response = client.post("/login/verify/", {"code": code})

    assert response.status_code == 302
    assert response["Location"] == SIGNED_IN_REDIRECT
    customer = User.objects.get(email="first.claim@example.com")
    assert customer.is_active and not customer.awaiting_first_sign_in and not customer.is_staff
    assert not customer.has_usable_password()
    assert client.session["_auth_user_id"] == str(customer.pk)
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.ACCOUNT_CREATED, user=customer).exists()
    assert client.get("/rma/").status_code == 200


def test_a_first_time_address_whose_code_is_never_used_keeps_no_row(client, request_code):
    from accounts.services import login_codes_void_expired

    with time_machine.travel(START, tick=False) as clock:
        request_code(client, "never.came.back@example.com")
        assert client.post("/login/verify/", {"code": "000000"}).status_code == 200
        clock.shift(timedelta(days=2))
        login_codes_void_expired()

    assert not User.objects.filter(email="never.came.back@example.com").exists()


def test_a_closed_customer_account_is_not_opened_again_by_a_code(client, request_code):
    CustomerFactory(email="closed@example.com", is_active=False)

    _response, code = request_code(client, "closed@example.com")

    assert code is None
    assert not User.objects.get(email="closed@example.com").is_active


def test_unknown_address_session_answers_wrong_codes_like_a_known_one(client, request_code):
    with time_machine.travel(START, tick=False) as clock:
        request_code(client, "stranger@example.com")
        pages = []
        for _attempt in range(5):
            pages.append(client.post("/login/verify/", {"code": "123456"}).content.decode())
            clock.shift(timedelta(seconds=30))

    assert "4 tries left" in pages[0]
    assert STOPPED_WORKING in pages[4]


def test_staff_address_gets_no_sign_in_code(client, request_code):
    staff = StaffFactory()

    response, code = request_code(client, staff.email)

    assert response["Location"] == "/login/verify/"
    assert code is None
    assert not LoginCodeDevice.objects.filter(user=staff).exists()


@pytest.mark.parametrize("address", ["known@example.com", "unknown@example.com"])
def test_second_send_within_the_cooldown_is_refused_with_the_wait(client, request_code, address):
    CustomerFactory(email="known@example.com")
    other_browser = Client()
    with time_machine.travel(START, tick=False) as clock:
        request_code(client, address)
        clock.shift(timedelta(seconds=20))
        sent_before = len(mail.outbox)
        refused, _ = request_code(other_browser, address)
        clock.shift(timedelta(seconds=41))
        allowed, _ = request_code(other_browser, address)

    assert refused.status_code == 200
    assert "You can ask for another one in 40 seconds" in refused.content.decode()
    assert len(mail.outbox) == sent_before + 1  # only the one sent after the cooldown
    assert allowed["Location"] == "/login/verify/"


def test_send_a_new_code_within_the_cooldown_keeps_the_current_code(client, request_code):
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        _, code = request_code(client, customer.email)
        clock.shift(timedelta(seconds=10))
        response, new_code = request_code(client, customer.email, resend=True)
        page = client.get("/login/verify/")
        accepted = client.post("/login/verify/", {"code": code})

    assert response["Location"] == "/login/verify/"
    assert new_code is None
    assert "You can ask for another one in 50 seconds" in page.content.decode()
    assert accepted["Location"] == SIGNED_IN_REDIRECT


def test_sends_beyond_the_hourly_ip_limit_get_429(client, settings, request_code):
    settings.LOGIN_SENDS_PER_IP_PER_HOUR = 20
    for number in range(20):
        response, _ = request_code(client, f"person{number}@example.com")
        assert response.status_code == 302

    refused, _ = request_code(client, "person20@example.com")

    assert refused.status_code == 429
    assert "Too many attempts from your network" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.RATE_LIMITED).count() == 1


def test_ip_limit_counts_the_client_behind_a_trusted_proxy(client, settings, request_code):
    settings.LOGIN_SENDS_PER_IP_PER_HOUR = 1
    settings.TRUSTED_PROXY_COUNT = 1
    first = client.post("/login/", {"email": "a@example.com"}, HTTP_X_FORWARDED_FOR="203.0.113.7")
    other_client = client.post("/login/", {"email": "b@example.com"}, HTTP_X_FORWARDED_FOR="198.51.100.9")
    # A forged entry on the left does not give the same client a fresh allowance.
    again = client.post("/login/", {"email": "c@example.com"}, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7")

    assert first.status_code == 302
    assert other_client.status_code == 302
    assert again.status_code == 429
    assert SignInEvent.objects.filter(ip_address="203.0.113.7").exists()


def test_verifications_beyond_the_hourly_ip_limit_get_429(client, settings, request_code):
    settings.LOGIN_VERIFIES_PER_IP_PER_HOUR = 3
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        _, code = request_code(client, customer.email)
        for _attempt in range(3):
            assert client.post("/login/verify/", {"code": "000000"}).status_code == 200
            clock.shift(timedelta(seconds=30))
        refused = client.post("/login/verify/", {"code": code})

    assert refused.status_code == 429
    assert "Too many attempts from your network" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_session_key_changes_at_sign_in(client, request_code):
    customer = CustomerFactory()
    _, code = request_code(client, customer.email)
    key_before = client.session.session_key

    client.post("/login/verify/", {"code": code})

    assert client.session.session_key != key_before
    assert not Session.objects.filter(session_key=key_before).exists()
    assert client.session["_auth_user_id"] == str(customer.pk)


def test_sign_out_ends_the_session_on_the_server(client, request_code):
    customer = CustomerFactory()
    _, code = request_code(client, customer.email)
    client.post("/login/verify/", {"code": code})
    signed_in_key = client.session.session_key

    response = client.post("/logout/", follow=True)

    assert response.redirect_chain[-1][0] == "/login/"
    assert "You are signed out" in response.content.decode()
    assert not Session.objects.filter(session_key=signed_in_key).exists()
    # Replaying the old cookie gets an anonymous visitor.
    client.cookies["sessionid"] = signed_in_key
    page = client.get("/login/")
    assert "Send Code" in page.content.decode()
    assert SignInEvent.objects.filter(user=customer, kind=SignInEvent.Kind.SIGNED_OUT).count() == 1


def test_sign_out_needs_a_post(client):
    assert client.get("/logout/").status_code == 405


def test_signed_in_customer_sees_who_they_are_on_the_login_page(client):
    customer = CustomerFactory()
    client.force_login(customer)

    page = client.get("/login/").content.decode()

    assert f"This browser is signed in as {customer.email}" in page
    assert 'action="/logout/"' in page


def test_audit_log_records_the_flow_without_the_code(client, request_code):
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        _, code = request_code(client, customer.email)
        client.post("/login/verify/", {"code": wrong(code)}, HTTP_USER_AGENT="TestBrowser/1.0")
        clock.shift(timedelta(seconds=5))
        client.post("/login/verify/", {"code": code}, HTTP_USER_AGENT="TestBrowser/1.0")
        client.post("/logout/", HTTP_USER_AGENT="TestBrowser/1.0")

    events = list(SignInEvent.objects.order_by("created_at", "id"))
    assert [event.kind for event in events] == [
        SignInEvent.Kind.CODE_SENT,
        SignInEvent.Kind.CODE_FAILED,
        SignInEvent.Kind.SIGNED_IN,
        SignInEvent.Kind.SIGNED_OUT,
    ]
    assert all(event.ip_address == "127.0.0.1" for event in events)
    assert [event.user_agent for event in events[1:]] == ["TestBrowser/1.0"] * 3
    for event in events:
        stored = " ".join(
            str(value) for value in SignInEvent.objects.filter(pk=event.pk).values().get().values()
        )
        assert code not in stored
        assert wrong(code) not in stored


def test_verify_page_offers_a_one_time_code_field_and_a_new_code_button(client, request_code):
    customer = CustomerFactory()
    request_code(client, customer.email)

    page = client.get("/login/verify/").content.decode()

    assert 'name="code"' in page
    assert 'inputmode="numeric"' in page
    assert 'autocomplete="one-time-code"' in page
    assert 'name="resend"' in page
    assert "Send a new code" in page
    assert "style=" not in page
    assert "<script>" not in page


def test_code_that_is_not_six_digits_is_explained_without_counting_a_failure(client, request_code):
    customer = CustomerFactory()
    request_code(client, customer.email)

    response = client.post("/login/verify/", {"code": "12a45"})

    assert "The code is made of 6 digits" in response.content.decode()
    assert LoginCodeDevice.objects.get(user=customer).throttling_failure_count == 0


def test_sign_in_goes_to_a_safe_next_address_only(client, request_code):
    customer = CustomerFactory()
    client.get("/login/?next=https://evil.example.com/")
    _, code = request_code(client, customer.email)

    response = client.post("/login/verify/", {"code": code})

    assert response["Location"] == SIGNED_IN_REDIRECT


def test_session_ends_after_two_idle_hours(client, request_code, settings):
    # The clock is moved in Python only: sessions read through Redis expire on Redis's clock.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    customer = CustomerFactory()
    with time_machine.travel(START, tick=False) as clock:
        _, code = request_code(client, customer.email)
        client.post("/login/verify/", {"code": code})
        clock.shift(timedelta(hours=1, minutes=59))
        still_in = client.get("/login/").content.decode()
        clock.shift(timedelta(hours=2, seconds=1))  # two hours after the last request
        gone = client.get("/login/").content.decode()

    assert "This browser is signed in as" in still_in
    assert "This browser is signed in as" not in gone
    assert "Send Code" in gone


def test_forwarded_for_is_ignored_without_a_trusted_proxy(
    client, settings, django_capture_on_commit_callbacks
):
    settings.LOGIN_SENDS_PER_IP_PER_HOUR = 1
    settings.TRUSTED_PROXY_COUNT = 0
    with django_capture_on_commit_callbacks(execute=True):  # the audit row is the worker's
        first = client.post("/login/", {"email": "a@example.com"}, HTTP_X_FORWARDED_FOR="203.0.113.7")
    # A client cannot buy a fresh allowance by inventing a forwarded address.
    second = client.post("/login/", {"email": "b@example.com"}, HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert first.status_code == 302
    assert second.status_code == 429
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.CODE_SENT).get().ip_address == "127.0.0.1"
