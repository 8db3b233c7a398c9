"""``manage.py seed_demo``: the demo data of a local run, created idempotently."""

import json

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import demo_sign_in_instructions, seed_demo_accounts
from rma_portal.demo import seed_demo_cases


class Command(BaseCommand):
    help = "Create the demo customers, staff and cases (safe to run again)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print only the demo cases (number, owner, status) as JSON.",
        )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            people = seed_demo_accounts()
        cases = seed_demo_cases(people)
        if options["json"]:
            listing = [
                {"number": case.number, "owner": case.customer.email, "status": case.status} for case in cases
            ]
            self.stdout.write(json.dumps(listing, indent=2))
            return
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(people)} people, {len(cases)} cases."))
        for line in demo_sign_in_instructions():
            self.stdout.write(f"  {line}")
