"""The admin sign-in: one message for every refusal, lockout per account and per IP, audited."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SignInEvent, User
from accounts.totp import totp_current_code
from rma_portal.models import OutboxMessage

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
REFUSED = "The email address, password or authenticator code is not right"
LOCKED = "Too many failed sign-ins"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.STAFF_TOTP_REQUIRED = True
    settings.STAFF_SIGN_IN_MAX_FAILURES = 5
    settings.STAFF_SIGN_IN_COOL_OFF = 15 * 60
    settings.STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR = 20


@pytest.fixture
def staff():
    user = User.objects.create_user("agent.limits@example.com", PASSWORD, is_staff=True)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user, device


def _sign_in(client, email: str, password: str, token: str = "", ip: str = "192.0.2.50"):
    data = {"username": email, "password": password, "otp_token": token, "next": "/admin/"}
    return client.post("/admin/login/", data, REMOTE_ADDR=ip)


def _errors(response) -> str:
    page = response.content.decode()
    return " ".join(
        re.findall(r'<(?:ul|p) class="error(?:list|note)[^"]*"[^>]*>(.*?)</(?:ul|p)>', page, re.DOTALL)
    )


def test_a_wrong_password_and_a_wrong_code_read_the_same(client, staff):
    user, device = staff
    wrong_code = f"{(int(totp_current_code(device)) + 1) % 1_000_000:06d}"

    wrong_password = _errors(_sign_in(client, user.email, "not-the-password", wrong_code))
    right_password = _errors(_sign_in(client, user.email, PASSWORD, wrong_code))
    no_code = _errors(_sign_in(client, user.email, PASSWORD))

    assert REFUSED in wrong_password
    assert wrong_password == right_password == no_code


def test_wrong_passwords_from_elsewhere_do_not_lock_out_the_owner(staff):
    user, device = staff
    with time_machine.travel(timezone.now(), tick=False):
        for number in range(5):
            _sign_in(Client(), user.email, "wrong-password", ip=f"198.51.100.{number}")
        attacker_again = _sign_in(Client(), user.email, "wrong-password", ip="198.51.100.0")
        owner = Client()
        signed_in = _sign_in(owner, user.email, PASSWORD, totp_current_code(device), ip="192.0.2.77")

    assert LOCKED not in _errors(attacker_again)  # another network: its own count
    assert signed_in.status_code == 302
    assert owner.get("/admin/").status_code == 200


def test_five_failures_from_one_network_hold_it_back_until_the_cool_off(staff):
    user, device = staff
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _try in range(5):
            _sign_in(Client(), user.email, "wrong-password", ip="198.51.100.9")
        locked = _sign_in(Client(), user.email, PASSWORD, totp_current_code(device), ip="198.51.100.9")
        clock.shift(timedelta(minutes=15, seconds=1))
        client = Client()
        after_cool_off = _sign_in(client, user.email, PASSWORD, totp_current_code(device), ip="198.51.100.9")

    assert LOCKED in _errors(locked)
    assert after_cool_off.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_second_round_of_failures_waits_twice_as_long(staff):
    user, device = staff
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _try in range(5):
            _sign_in(Client(), user.email, "wrong-password", ip="198.51.100.9")
        clock.shift(timedelta(minutes=15, seconds=1))
        for _try in range(5):
            _sign_in(Client(), user.email, "wrong-password", ip="198.51.100.9")
        clock.shift(timedelta(minutes=15, seconds=1))
        still_locked = _sign_in(Client(), user.email, PASSWORD, totp_current_code(device), ip="198.51.100.9")
        clock.shift(timedelta(minutes=15))
        client = Client()
        after = _sign_in(client, user.email, PASSWORD, totp_current_code(device), ip="198.51.100.9")

    assert LOCKED in _errors(still_locked)
    assert after.status_code == 302


def test_the_owners_browser_gets_in_while_its_network_is_at_its_hourly_limit(staff, settings):
    settings.STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR = 8
    user, device = staff
    owner = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert (
            _sign_in(owner, user.email, PASSWORD, totp_current_code(device), ip="203.0.113.40").status_code
            == 302
        )
        owner.post("/admin/logout/")
        for number in range(8):
            _sign_in(Client(), f"person{number}@example.com", "wrong-password", ip="203.0.113.40")
        for _try in range(5):
            _sign_in(Client(), user.email, "wrong-password", ip="203.0.113.40")
        stranger = _sign_in(Client(), user.email, PASSWORD, totp_current_code(device), ip="203.0.113.40")
        clock.shift(timedelta(seconds=31))  # an authenticator code is taken once
        again = _sign_in(owner, user.email, PASSWORD, totp_current_code(device), ip="203.0.113.40")

    assert LOCKED in _errors(stranger)
    assert again.status_code == 302
    assert owner.get("/admin/").status_code == 200


def test_a_forged_browser_cookie_is_a_new_browser(staff, settings):
    settings.STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR = 3
    user, device = staff
    for number in range(3):
        _sign_in(Client(), f"person{number}@example.com", "wrong-password", ip="203.0.113.40")
    forger = Client()
    forger.cookies[settings.STAFF_BROWSER_COOKIE_NAME] = '{"id": "x", "known": ["anything"]}'

    assert LOCKED in _errors(
        _sign_in(forger, user.email, PASSWORD, totp_current_code(device), ip="203.0.113.40")
    )


def test_the_ip_limit_is_a_window_that_ends(staff, settings):
    settings.STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR = 3
    user, device = staff
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for number in range(3):
            _sign_in(Client(), f"person{number}@example.com", "wrong-password", ip="203.0.113.40")
        refused = _sign_in(Client(), user.email, PASSWORD, totp_current_code(device), ip="203.0.113.40")
        clock.shift(timedelta(hours=1))
        later = _sign_in(Client(), user.email, PASSWORD, totp_current_code(device), ip="203.0.113.40")

    assert LOCKED in _errors(refused)
    assert later.status_code == 302


def test_the_owner_is_told_of_a_burst_of_failures_in_their_language(
    staff, django_capture_on_commit_callbacks
):
    user, _device = staff
    user.language = "de"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(7):
            _sign_in(Client(), user.email, "wrong-password", ip=f"198.51.100.{number}")

    notices = [message for message in mail.outbox if user.email in message.to]
    assert len(notices) == 1
    assert "Fehlgeschlagene Anmeldeversuche" in notices[0].subject
    assert 'lang="de"' in notices[0].alternatives[0][0]
    assert "Passwort" in notices[0].body
    assert OutboxMessage.objects.filter(
        task_name="accounts.tasks.send_staff_sign_in_failures_notice"
    ).exists()


def test_no_burst_notice_for_an_address_without_a_staff_member(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(6):
            _sign_in(Client(), "nobody@example.com", "wrong-password", ip=f"198.51.100.{number}")

    assert mail.outbox == []


def test_an_unknown_address_is_locked_out_like_a_known_one():
    for _try in range(5):
        _sign_in(Client(), "nobody@example.com", "wrong-password")

    assert LOCKED in _errors(_sign_in(Client(), "nobody@example.com", "wrong-password"))


def test_one_client_ip_is_stopped_after_its_hourly_failures(settings):
    settings.STAFF_SIGN_IN_FAILURES_PER_IP_PER_HOUR = 8
    for number in range(8):
        _sign_in(Client(), f"person{number}@example.com", "wrong-password", ip="203.0.113.40")

    assert LOCKED in _errors(_sign_in(Client(), "person99@example.com", "wrong-password", ip="203.0.113.40"))
    assert LOCKED not in _errors(
        _sign_in(Client(), "person99@example.com", "wrong-password", ip="203.0.113.41")
    )


def test_every_failure_and_sign_in_is_in_the_audit_log(client, staff):
    user, device = staff

    _sign_in(client, user.email, "wrong-password")
    _sign_in(client, user.email, PASSWORD, totp_current_code(device))

    kinds = list(SignInEvent.objects.filter(user=user).order_by("id").values_list("kind", "ip_address"))
    assert kinds == [
        (SignInEvent.Kind.STAFF_FAILED, "192.0.2.50"),
        (SignInEvent.Kind.STAFF_SIGNED_IN, "192.0.2.50"),
    ]


def test_refusals_during_a_lockout_are_audited(staff):
    user, _device = staff
    for _try in range(6):
        _sign_in(Client(), user.email, "wrong-password")

    assert SignInEvent.objects.filter(user=user, kind=SignInEvent.Kind.STAFF_LOCKED_OUT).count() == 1
    assert SignInEvent.objects.filter(user=user, kind=SignInEvent.Kind.STAFF_FAILED).count() == 5


def test_forty_wrong_passwords_from_one_address_are_stopped_early(staff):
    user, _device = staff
    answers = [_errors(_sign_in(Client(), user.email, f"guess-{n}", ip="203.0.113.9")) for n in range(40)]

    assert sum(REFUSED in answer for answer in answers) == 5
    assert all(LOCKED in answer for answer in answers[5:])
