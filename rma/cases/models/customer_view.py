"""How a case looks from its customer's side: a customer's claim stays in view, as a claim
being looked at, while the team prepares or reviews its solution (a hidden status)."""

from __future__ import annotations

from django.db import models

from rma.cases.models.statuses import Status, status_facts


class CustomerView:
    """Mixed into ``Case`` (which names its ``HIDDEN_STATUSES``): the status its customer is
    shown and whether they see it at all."""

    @property
    def began_as_claim(self) -> bool:
        """Whether the case began as a customer's warranty claim (``rma.claims``: it has a
        ``claim``). Read through the relation, which the customer's selectors join."""
        return hasattr(self, "claim")

    @property
    def shown_as_claim(self) -> bool:
        """A customer's claim whose solution is being prepared or reviewed (a hidden status):
        its customer keeps seeing it, as a claim being looked at."""
        return status_facts(self.status).hidden and self.began_as_claim

    @property
    def customer_status(self) -> str:
        """The status the customer is shown: the case's own, except for a claim in a hidden
        status, shown as ``requested`` (never the team's draft or approval state)."""
        return Status.REQUESTED if self.shown_as_claim else self.status

    @classmethod
    def customer_status_expression(cls) -> models.Case:
        """``customer_status`` in SQL, for the customer's lists (filtered and ordered by it)."""
        return models.Case(
            models.When(
                status__in=sorted(cls.HIDDEN_STATUSES),
                claim__isnull=False,
                then=models.Value(Status.REQUESTED),
            ),
            default=models.F("status"),
            output_field=models.CharField(),
        )

    @property
    def is_visible_to_customer(self) -> bool:
        return not status_facts(self.status).hidden or self.began_as_claim
