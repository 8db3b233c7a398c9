"""
Demo people for a local run: two customers and two members of the warranty team.

Demo staff get a random password and a random TOTP key when they are first created; both are
printed once, by ``seed_demo``, and never stored anywhere else. A person who already exists is
never changed. ``seed_demo`` refuses to run unless ``DJANGO_DEBUG`` is on, so none of this
reaches a production database.
"""

import secrets
from base64 import b32encode
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.models import User
from accounts.services import staff_create

DEMO_CUSTOMERS = ("demo@example.com", "other@example.com")
DEMO_STAFF = (
    ("agent@example.com", "Ada Agent", "Warranty agents"),
    ("supervisor@example.com", "Sam Supervisor", "Warranty supervisors"),
)


class DemoRefused(Exception):
    """Demo data asked for outside a local DEBUG run."""


@dataclass(frozen=True)
class NewDemoStaff:
    """A demo staff member created by this run, with the secrets shown this once."""

    email: str
    password: str
    totp_key_base32: str


@dataclass
class DemoPeople:
    people: dict[str, User]
    new_staff: list[NewDemoStaff]


def seed_demo_accounts() -> DemoPeople:
    """Create (or find) the demo people; safe to run any number of times.

    Staff are made by ``staff_create`` like any other, with a fresh random password and TOTP
    key; a member of staff who already exists is left exactly as they are (their password and
    second factor are never touched). Raises ``DemoRefused`` unless ``DEBUG`` is on.
    """
    if not settings.DEBUG:
        raise DemoRefused(
            "Demo data is only for a local run: seed_demo works only when DJANGO_DEBUG is on. "
            "Nothing was changed."
        )
    people: dict[str, User] = {}
    new_staff: list[NewDemoStaff] = []
    with transaction.atomic():
        for email in DEMO_CUSTOMERS:
            user = User.objects.with_email(email).first()
            people[email] = user or User.objects.create_user(email)
        for email, name, group_name in DEMO_STAFF:
            user = User.objects.with_email(email).first()
            if user is None:
                password = secrets.token_urlsafe(15)
                user, device = staff_create(
                    email=email, full_name=name, group_name=group_name, password=password
                )
                new_staff.append(
                    NewDemoStaff(email=email, password=password, totp_key_base32=_base32(device.bin_key))
                )
            people[email] = user
    return DemoPeople(people=people, new_staff=new_staff)


def _base32(key: bytes) -> str:
    return b32encode(key).decode("ascii")


def demo_sign_in_instructions(new_staff: list[NewDemoStaff]) -> list[str]:
    """How a newcomer signs in as the demo customer and as demo staff, for ``seed_demo``."""
    mail_folder = getattr(settings, "EMAIL_FILE_PATH", None)
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend") and mail_folder:
        where = f"the newest file in {mail_folder}"
    else:
        where = "the demo customer's mailbox"
    lines = [
        f"Customer: open {settings.SITE_URL}/login/, enter {DEMO_CUSTOMERS[0]}, press Send Code,",
        f"  and type the 6-digit code from {where}.",
    ]
    if not new_staff:
        staff = ", ".join(email for email, _name, _group in DEMO_STAFF)
        lines.append(
            f"Staff ({staff}): the passwords were printed when these accounts were created; "
            "`python manage.py changepassword <email>` sets a new one."
        )
    for person in new_staff:
        lines.append(
            f"Staff {person.email}: open {settings.SITE_URL}/admin/ with password {person.password}"
            " (shown only this once)"
        )
        lines.append(f"  authenticator key {person.totp_key_base32}")
    if settings.STAFF_TOTP_REQUIRED:
        lines.append(
            "  The admin asks for the authenticator code: add the key to an authenticator app, or run "
            f"`python manage.py demo_totp_code {DEMO_STAFF[0][0]}`."
        )
    else:
        lines.append(
            "  (the authenticator code is switched off for this local run; with STAFF_TOTP_REQUIRED=1"
            f" get it from `python manage.py demo_totp_code {DEMO_STAFF[0][0]}`)."
        )
    return lines
