"""``manage.py create_staff``: a member of the warranty team, with password and TOTP device."""

import getpass

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.services import staff_create
from accounts.totp import totp_terminal_qr


class Command(BaseCommand):
    help = (
        "Create a staff user with a password and an authenticator-app (TOTP) device, and print "
        "the provisioning URI and a QR code to scan."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="Full name.")
        parser.add_argument(
            "--group",
            default="Warranty agents",
            help='Staff group, e.g. "Warranty agents" or "Warranty supervisors".',
        )
        parser.add_argument("--password", help="The password (asked for when left out).")

    def handle(self, *args, **options) -> None:
        group_name = options["group"]
        if not Group.objects.filter(name=group_name).exists():
            known = ", ".join(Group.objects.order_by("name").values_list("name", flat=True)) or "none"
            raise CommandError(f'No group named "{group_name}" (existing groups: {known}).')
        password = options["password"] or self._ask_password()
        try:
            user, device = staff_create(
                email=options["email"], full_name=options["name"], group_name=group_name, password=password
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

        self.stdout.write(self.style.SUCCESS(f"Created staff user {user.email} in {group_name}."))
        self.stdout.write("Scan this QR code with an authenticator app (or enter the URI by hand):")
        self.stdout.write(totp_terminal_qr(device.config_url))
        self.stdout.write(f"Provisioning URI: {device.config_url}")
        self.stdout.write("Admin sign-in asks for the password, then the 6-digit code from the app.")

    def _ask_password(self) -> str:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
