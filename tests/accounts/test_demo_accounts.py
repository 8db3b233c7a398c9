"""Demo staff exist only on a local run, with secrets of their own, and nobody is overwritten."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import seed_demo_accounts
from accounts.models import User
from accounts.services import staff_create
from rma.cases.models import Case

pytestmark = pytest.mark.django_db

RFC_6238_TEST_KEY = "3132333435363738393031323334353637383930"


@pytest.fixture
def local_run(settings):
    settings.DEBUG = True
    settings.STAFF_TOTP_REQUIRED = True


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_refuses_with_debug_off_and_changes_nothing(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only when DJANGO_DEBUG is on"):
        call_command("seed_demo", stdout=io.StringIO())

    assert not User.objects.exists()
    assert not Case.objects.exists()


def test_seed_demo_with_debug_off_leaves_existing_staff_untouched(settings):
    staff_create(
        email="agent@example.com",
        full_name="Real Agent",
        group_name="Warranty agents",
        password="a-real-long-secret",
    )
    settings.DEBUG = False

    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=io.StringIO())

    user = User.objects.get(email="agent@example.com")
    assert user.check_password("a-real-long-secret")
    assert user.full_name == "Real Agent"


def test_demo_staff_get_a_random_password_printed_once(local_run):
    printed = _seed()

    for email in ("agent@example.com", "supervisor@example.com"):
        line = next(line for line in printed.splitlines() if f"Staff {email}" in line)
        password = line.split("with password ", 1)[1].split(" ", 1)[0]
        assert User.objects.get(email=email).check_password(password)
    assert "with password" not in _seed()


def test_demo_staff_get_their_own_random_totp_keys(local_run):
    seed_demo_accounts()

    keys = set(TOTPDevice.objects.filter(user__email__endswith="@example.com").values_list("key", flat=True))
    assert len(keys) == 2
    assert RFC_6238_TEST_KEY not in keys


def test_seed_demo_never_changes_an_existing_password_or_device(local_run):
    user, device = staff_create(
        email="supervisor@example.com",
        full_name="Sam",
        group_name="Warranty supervisors",
        password="x-long-secret-1",
    )

    _seed()
    _seed()

    user.refresh_from_db()
    assert user.check_password("x-long-secret-1")
    assert list(TOTPDevice.objects.filter(user=user)) == [device]
    assert TOTPDevice.objects.get(pk=device.pk).key == device.key


def test_demo_totp_code_prints_a_code_the_admin_accepts(client, local_run):
    printed = _seed()
    line = next(line for line in printed.splitlines() if "Staff agent@example.com" in line)
    password = line.split("with password ", 1)[1].split(" ", 1)[0]
    out = io.StringIO()

    call_command("demo_totp_code", "agent@example.com", stdout=out)

    response = client.post(
        "/admin/login/",
        {
            "username": "agent@example.com",
            "password": password,
            "otp_token": out.getvalue().strip(),
            "next": "/admin/",
        },
    )
    assert response["Location"] == "/admin/"


def test_seed_demo_prints_how_the_customer_signs_in(local_run, settings):
    printed = _seed()

    assert "demo@example.com" in printed
    assert str(settings.EMAIL_FILE_PATH) in printed or "mailbox" in printed
    assert "demo_totp_code agent@example.com" in printed


def test_demo_totp_code_refuses_without_debug(local_run, settings):
    seed_demo_accounts()
    settings.DEBUG = False

    with pytest.raises(CommandError, match="only when DJANGO_DEBUG is on"):
        call_command("demo_totp_code", "agent@example.com", stdout=io.StringIO())
