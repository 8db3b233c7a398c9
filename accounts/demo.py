"""
Demo people for a local run: two customers and two members of the warranty team.

The demo staff share one fixed, public TOTP key, ``DEMO_TOTP_KEY``: the 20-byte test key of
RFC 6238 ("12345678901234567890"), base32 ``GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ``. Add it to an
authenticator app, or run ``manage.py demo_totp_code agent@example.com`` (DEBUG only) to
print the current code. Never use these people outside a local run.
"""

from accounts.models import User
from accounts.services import staff_create

DEMO_CUSTOMERS = ("demo@example.com", "other@example.com")
DEMO_STAFF = (
    ("agent@example.com", "Ada Agent", "Warranty agents"),
    ("supervisor@example.com", "Sam Supervisor", "Warranty supervisors"),
)
DEMO_STAFF_PASSWORD = "demo-password-change-me"
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"
DEMO_TOTP_KEY_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def seed_demo_accounts() -> dict[str, User]:
    """Create (or find) the demo people; safe to run any number of times.

    Staff are made by ``staff_create`` like any other; a member of staff who already exists
    is left exactly as they are (their password and second factor are never touched).
    """
    people: dict[str, User] = {}
    for email in DEMO_CUSTOMERS:
        user = User.objects.with_email(email).first()
        people[email] = user or User.objects.create_user(email)
    for email, name, group_name in DEMO_STAFF:
        user = User.objects.with_email(email).first()
        if user is None:
            user, _device = staff_create(
                email=email,
                full_name=name,
                group_name=group_name,
                password=DEMO_STAFF_PASSWORD,
                totp_key=DEMO_TOTP_KEY,
            )
        people[email] = user
    return people


def demo_sign_in_instructions() -> list[str]:
    """How a newcomer signs in as the demo customer and as demo staff, for ``seed_demo``."""
    from django.conf import settings

    mail_folder = getattr(settings, "EMAIL_FILE_PATH", None)
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend") and mail_folder:
        where = f"the newest file in {mail_folder}"
    else:
        where = "the demo customer's mailbox"
    staff = ", ".join(email for email, _name, _group in DEMO_STAFF)
    lines = [
        f"Customer: open {settings.SITE_URL}/login/, enter {DEMO_CUSTOMERS[0]}, press Send Code,",
        f"  and type the 6-digit code from {where}.",
        f"Staff ({staff}): open {settings.SITE_URL}/admin/ with password {DEMO_STAFF_PASSWORD}",
    ]
    if settings.STAFF_TOTP_REQUIRED:
        lines.append(
            f"  and the authenticator code from `python manage.py demo_totp_code {DEMO_STAFF[0][0]}`"
            f" (or add the key {DEMO_TOTP_KEY_BASE32} to an authenticator app)."
        )
    else:
        lines.append(
            "  (the authenticator code is switched off for this local run; with STAFF_TOTP_REQUIRED=1"
            f" get it from `python manage.py demo_totp_code {DEMO_STAFF[0][0]}`)."
        )
    return lines
