"""``manage.py demo_totp_code <email>``: the current admin TOTP code of a demo staff member."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.totp import totp_current_code


class Command(BaseCommand):
    help = "Print the current 6-digit TOTP code of a staff user (local DEBUG runs only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, **options) -> None:
        # Printing a second factor defeats it: only a local, DEBUG run may do this.
        if not settings.DEBUG:
            raise CommandError("demo_totp_code works only when DJANGO_DEBUG is on.")
        device = (
            TOTPDevice.objects.filter(user__email__iexact=options["email"], confirmed=True)
            .order_by("pk")
            .first()
        )
        if device is None:
            raise CommandError(f"{options['email']} has no confirmed TOTP device (run seed_demo first).")
        self.stdout.write(totp_current_code(device))
