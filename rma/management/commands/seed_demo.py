"""``manage.py seed_demo``: the demo data of a local run, created idempotently."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import demo_sign_in_instructions, seed_demo_accounts


class Command(BaseCommand):
    help = "Create the demo customers, staff and cases (safe to run again)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            people = seed_demo_accounts()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(people)} people."))
        for line in demo_sign_in_instructions():
            self.stdout.write(f"  {line}")
