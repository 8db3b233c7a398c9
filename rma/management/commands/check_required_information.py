"""Lists cases that reached the team's review with required information missing."""

from django.core.management.base import BaseCommand, CommandError

from rma.cases.models import Case
from rma.required.selectors import cases_missing_parts


class Command(BaseCommand):
    help = (
        "List the cases under review (or in the given statuses) whose solution needs a part that "
        "was neither sent nor waived. Changes nothing; exits with status 1 when it finds any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--status",
            action="append",
            choices=[value for value, _label in Case.Status.choices],
            help="A status to check (repeat for several). Default: under_review.",
        )

    def handle(self, *args, status=None, **options):
        found = 0
        for case, missing in cases_missing_parts(statuses=status or [Case.Status.UNDER_REVIEW]):
            found += 1
            self.stdout.write(
                f"{case.number}\t{case.status}\t{case.customer.email}\tmissing: {', '.join(missing)}"
            )
        if found:
            raise CommandError(
                f"{found} case(s) lack required information: enter it for the customer or waive it "
                "from the case page, or ask the customer again."
            )
        self.stdout.write("Every case checked has all its required information.")
