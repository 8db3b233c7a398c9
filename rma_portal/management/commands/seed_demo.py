"""``manage.py seed_demo``: the demo data of a local run, created idempotently."""

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DemoRefused, demo_sign_in_instructions, seed_demo_accounts
from rma_portal.demo import seed_demo_cases
from rma_portal.demo.claims import seed_demo_claims


class Command(BaseCommand):
    help = "Create the demo customers, staff and cases (safe to run again; local DEBUG runs only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print only the demo cases (number, owner, status) as JSON.",
        )

    def handle(self, *args, **options) -> None:
        try:
            demo = seed_demo_accounts()
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        cases = seed_demo_cases(demo.people) + seed_demo_claims(demo.people)
        if options["json"]:
            listing = [
                {"number": case.number, "owner": case.customer.email, "status": case.status} for case in cases
            ]
            self.stdout.write(json.dumps(listing, indent=2))
            # Passwords of staff created just now are shown this once, even with --json.
            for line in demo_sign_in_instructions(demo.new_staff) if demo.new_staff else []:
                self.stderr.write(f"  {line}")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready: {len(demo.people)} people, {len(cases)} cases.")
        )
        for line in demo_sign_in_instructions(demo.new_staff):
            self.stdout.write(f"  {line}")
