"""Staff reach the admin with a password and a TOTP code; the commands that set that up."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import LOGIN_CODE_DEVICE_NAME, LoginCodeDevice, User
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.fixture
def staff_with_totp():
    user = User.objects.create_user("agent.one@example.com", PASSWORD, is_staff=True)
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user, device


@pytest.fixture
def totp_required(settings):
    settings.STAFF_TOTP_REQUIRED = True


def test_admin_refuses_a_password_without_the_authenticator_code(client, staff_with_totp, totp_required):
    user, _device = staff_with_totp

    response = client.post("/admin/login/", {"username": user.email, "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 200
    # The same words as for a wrong password: a right password is not recognisable.
    assert "password or authenticator code is not right" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_admin_refuses_a_wrong_authenticator_code(client, staff_with_totp, totp_required):
    user, device = staff_with_totp
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(
        "/admin/login/", {"username": user.email, "password": PASSWORD, "otp_token": wrong, "next": "/admin/"}
    )

    assert "password or authenticator code is not right" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_admin_lets_staff_in_with_password_and_authenticator_code(client, staff_with_totp, totp_required):
    user, device = staff_with_totp

    response = client.post(
        "/admin/login/",
        {"username": user.email, "password": PASSWORD, "otp_token": current_code(device), "next": "/admin/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "RMA administration" in index.content.decode()


def test_admin_login_page_asks_for_the_authenticator_code_without_a_banner(client, totp_required):
    page = client.get("/admin/login/").content.decode()

    assert 'name="otp_token"' in page
    assert 'autocomplete="one-time-code"' in page
    assert 'data-second-factor="off"' not in page


def test_an_emailed_code_device_is_not_accepted_as_the_admin_second_factor(
    client, staff_with_totp, totp_required
):
    user, _device = staff_with_totp
    email_device = LoginCodeDevice.objects.create(user=user, name=LOGIN_CODE_DEVICE_NAME, confirmed=True)

    for device_id in (email_device.persistent_id, f"otp_email.emaildevice/{email_device.pk}"):
        response = client.post(
            "/admin/login/",
            {
                "username": user.email,
                "password": PASSWORD,
                "otp_device": device_id,
                "otp_challenge": "1",
                "next": "/admin/",
            },
        )
        assert response.status_code == 200
        assert client.get("/admin/").status_code == 302


def test_with_the_second_factor_off_the_admin_login_says_so_and_takes_the_password(client, settings):
    settings.DEBUG = True
    settings.STAFF_TOTP_REQUIRED = False
    User.objects.create_user("agent.two@example.com", PASSWORD, is_staff=True)

    page = client.get("/admin/login/").content.decode()
    response = client.post(
        "/admin/login/", {"username": "agent.two@example.com", "password": PASSWORD, "next": "/admin/"}
    )

    assert 'data-second-factor="off"' in page
    assert "switched off for this local run" in page
    assert 'name="otp_token"' not in page
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_customers_cannot_reach_the_admin(client, totp_required):
    client.force_login(CustomerFactory())

    assert client.get("/admin/").status_code == 302


def test_sign_in_events_are_read_only_in_the_admin(client, totp_required):
    from accounts.models import SignInEvent

    admin = User.objects.create_superuser("boss@example.com", PASSWORD)
    device = TOTPDevice.objects.create(user=admin, name="Authenticator app", confirmed=True)
    client.post(
        "/admin/login/", {"username": admin.email, "password": PASSWORD, "otp_token": current_code(device)}
    )
    event = SignInEvent.objects.create(kind=SignInEvent.Kind.SIGNED_IN, email="x@example.com")

    listing = client.get("/admin/accounts/signinevent/")
    detail = client.get(f"/admin/accounts/signinevent/{event.pk}/change/")

    assert listing.status_code == 200
    assert "x@example.com" in listing.content.decode()
    assert detail.status_code == 200
    assert 'name="email"' not in detail.content.decode()  # shown, not editable
    assert client.get("/admin/accounts/signinevent/add/").status_code == 403
    assert client.post(f"/admin/accounts/signinevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SignInEvent.objects.filter(pk=event.pk).exists()


def test_create_staff_makes_a_staff_user_with_a_confirmed_totp_device_and_prints_the_qr():
    Group.objects.get_or_create(name="Warranty supervisors")
    out = io.StringIO()

    call_command(
        "create_staff",
        "New.Person@example.com",
        "--name=New Person",
        "--group=Warranty supervisors",
        "--password=a-very-long-pass-phrase-42",
        stdout=out,
    )

    user = User.objects.get(email__iexact="new.person@example.com")
    assert user.is_staff and user.check_password("a-very-long-pass-phrase-42")
    assert list(user.groups.values_list("name", flat=True)) == ["Warranty supervisors"]
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    printed = out.getvalue()
    assert device.config_url in printed
    assert printed.count("otpauth://totp/") == 1
    assert "█" in printed or "▀" in printed  # the QR code drawn in the terminal


def test_create_staff_refuses_a_weak_password():
    with pytest.raises(CommandError, match="too short"):
        call_command("create_staff", "weak@example.com", "--password=short1", stdout=io.StringIO())
    assert not User.objects.filter(email="weak@example.com").exists()
