"""Demo people for a local run: two customers and two members of the warranty team."""

from django.contrib.auth.models import Group

from accounts.models import User

DEMO_CUSTOMERS = ("demo@example.com", "other@example.com")
DEMO_STAFF = (
    ("agent@example.com", "Ada Agent", "Warranty agents"),
    ("supervisor@example.com", "Sam Supervisor", "Warranty supervisors"),
)
DEMO_STAFF_PASSWORD = "demo-password-change-me"


def seed_demo_accounts() -> dict[str, User]:
    """Create (or find) the demo people; safe to run any number of times."""
    people: dict[str, User] = {}
    for email in DEMO_CUSTOMERS:
        user = User.objects.filter(email__iexact=email).first()
        people[email] = user or User.objects.create_user(email)
    for email, name, group_name in DEMO_STAFF:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_STAFF_PASSWORD, full_name=name, is_staff=True)
        group, _ = Group.objects.get_or_create(name=group_name)
        user.groups.add(group)
        people[email] = user
    return people
