"""
A status describes itself: one row per status, with every fact the rest of the code reads.

``STATUS_TABLE`` holds, for each status of ``Status``: whether it is final (the case is
closed), hidden from the customer, open to editing the solution; whose move it is and its
due time (an allowance, overridable in ``settings.RMA_DEADLINES``, or a date the case
carries); the heading of the customer's case list it is filed under; where the customer's
step tracker stands; the emails the customer and the team get when a case enters it; and the
sentences that say what happens next, to the customer, to the team and on the help page.

Adding a status is one row here, its rows in the lifecycle table (``TRANSITIONS``) and the
translations of its words; ``tests/rma/cases/test_status_table.py`` checks that every status has
its row and that each row's facts name things that exist. A status declared by another app
(``declare_status``) is read the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """The statuses of a case, from a customer's claim or a draft to completion or cancellation."""

    REQUESTED = "requested", _("Claim received")
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    PENDING_CONFIRM = "pending_confirm", _("Pending confirmation")
    DISAGREED = "disagreed", _("Disagreed")
    AWAITING_INFO = "awaiting_info", _("Awaiting information")
    UNDER_REVIEW = "under_review", _("Under review")
    PROCESSING = "processing", _("Processing")
    AWAITING_RETURN = "awaiting_return", _("Replacement shipped, awaiting return")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Party(models.TextChoices):
    """Who the case waits on."""

    CUSTOMER = "customer", _("the customer")
    TEAM = "team", _("the warranty team")
    SUPERVISOR = "supervisor", _("a supervisor")


class Stage:
    """Where the customer's step tracker stands, in the order the steps come. A status at a
    stage has the steps of the stages before it done, the step of its own stage current, and
    the rest to come; ``CLOSED`` shows the one step "Closed"."""

    CLAIM = "claim"  # the customer's claim waits for the team's answer
    AGREE = "agree"  # the customer has not agreed to the solution yet
    INFORMATION = "information"  # the customer sends the required information
    REVIEW = "review"  # the team checks what was sent
    SHIPMENT = "shipment"  # the team sends the refund or ships
    RETURN = "return"  # the replacement shipped ahead, the return comes back
    FINISHED = "finished"  # every step done
    CLOSED = "closed"  # closed without a solution carried out

    ORDER = (CLAIM, AGREE, INFORMATION, REVIEW, SHIPMENT, RETURN, FINISHED)


@dataclass(frozen=True)
class StatusFacts:
    """Every fact about one status."""

    status: str
    label: str | Promise
    # Closed: nothing more happens on the case, messages included; no due time.
    final: bool = False
    # Never shown to the customer: the solution is still being prepared or reviewed. A case
    # that began as the customer's claim stays shown, as ``requested`` (``Case.customer_status``).
    hidden: bool = False
    # The solution may be edited: nobody outside the team relies on it.
    editable: bool = False
    # Whose move it is (None once final) and by when: an allowance such as "14d", "2wd" or
    # "36h" (rma.cases.deadlines; overridable per status in settings.RMA_DEADLINES), or the
    # name of a date the case carries (``due_field``).
    waits_on: str | None = None
    deadline: str = ""
    due_field: str = ""
    # The heading of the customer's case list it is filed under (a key of
    # ``rma.cases.selectors.CUSTOMER_GROUPS``); none for a hidden status.
    customer_group: str = ""
    # Where the customer's step tracker stands (``Stage``).
    stage: str = Stage.AGREE
    # The email the customer, and the team, get when a case enters this status, whichever
    # action moved it there (a name in rma.cases.emails.EMAILS); an action with an email
    # of its own sends that one instead.
    customer_email: str = ""
    team_email: str = ""
    # What happens next, in the customer's words (the case page's next-step box), in the
    # team's (the top of the case in admin), and what the status means (the help page).
    # Left empty, the page's own sentence for the status stands (it depends on the case).
    customer_next: str | Promise = ""
    team_next: str | Promise = ""
    meaning: str | Promise = ""

    @property
    def customer_agreed(self) -> bool:
        """The customer agreed to the solution: the tracker is past its first step."""
        return self.stage in Stage.ORDER and Stage.ORDER.index(self.stage) > Stage.ORDER.index(Stage.AGREE)

    @property
    def yours(self) -> bool:
        """The customer's move."""
        return self.waits_on == Party.CUSTOMER


STATUS_TABLE: dict[str, StatusFacts] = {
    facts.status: facts
    for facts in (
        StatusFacts(
            # A warranty claim the customer sent at /rma/new/ (rma.claims): the team writes the
            # solution in the case, asks a question by message, or declines the claim.
            Status.REQUESTED,
            Status.REQUESTED.label,
            editable=True,
            waits_on=Party.TEAM,
            deadline="2wd",
            customer_group="in_progress",
            stage=Stage.CLAIM,
            customer_email="claim_received",
            customer_next=_(
                "Our move: the warranty team is looking at your claim. We write to you here if we need "
                "to know more, and by email when the solution is ready."
            ),
            team_next=_(
                "A customer's warranty claim: write the solution in this case and publish it, ask the "
                "customer a question by message, or decline the claim with a reason the customer reads."
            ),
            meaning=_(
                "You sent a warranty claim and the warranty team is looking at it. It answers with a "
                "solution, asks you a question by message, or tells you why it cannot accept the claim."
            ),
        ),
        StatusFacts(
            Status.DRAFT,
            Status.DRAFT.label,
            hidden=True,
            editable=True,
            waits_on=Party.TEAM,
        ),
        StatusFacts(
            Status.PENDING_APPROVAL,
            Status.PENDING_APPROVAL.label,
            hidden=True,
            waits_on=Party.SUPERVISOR,
            deadline="1wd",
            team_next=_("A supervisor approves the solution or sends it back to the team."),
        ),
        StatusFacts(
            Status.PENDING_CONFIRM,
            Status.PENDING_CONFIRM.label,
            waits_on=Party.CUSTOMER,
            deadline="14d",
            customer_group="pending_confirmation",
            customer_email="solution_ready",
            customer_next=_(
                "Your move: read the solution, then agree to it, or disagree and tell us what you need."
            ),
            team_next=_("The customer agrees to the solution or disagrees with it."),
            meaning=_(
                "The warranty team has offered you a solution. Read it, then agree to it or tell us "
                "why it does not suit you."
            ),
        ),
        StatusFacts(
            Status.DISAGREED,
            Status.DISAGREED.label,
            editable=True,
            waits_on=Party.TEAM,
            deadline="2wd",
            customer_group="in_progress",
            customer_next=_(
                "Our move: the warranty team reads your comment and revises the solution. Send nothing "
                "until you have agreed to a solution."
            ),
            team_next=_(
                "The team reads why the customer disagrees, then revises the solution or cancels the case."
            ),
            meaning=_(
                "You turned the solution down. The team reads your comment and comes back with a revised one."
            ),
        ),
        StatusFacts(
            Status.AWAITING_INFO,
            Status.AWAITING_INFO.label,
            waits_on=Party.CUSTOMER,
            deadline="14d",
            customer_group="action_required",
            stage=Stage.INFORMATION,
            customer_next=_("Your move: send us the information listed below."),
            meaning=_(
                "You agreed. Now we need something from you, such as the return shipment details, "
                "a payment proof or the address to ship to. The case page lists exactly what."
            ),
        ),
        StatusFacts(
            Status.UNDER_REVIEW,
            Status.UNDER_REVIEW.label,
            waits_on=Party.TEAM,
            deadline="2wd",
            customer_group="in_progress",
            stage=Stage.REVIEW,
            customer_email="info_received",
            customer_next=_("Our move: the warranty team checks what you sent."),
            team_next=_("The team reviews what the customer sent: accepts it or sends parts back."),
            meaning=_("Everything we asked for has arrived and the team is checking it."),
        ),
        StatusFacts(
            Status.PROCESSING,
            Status.PROCESSING.label,
            waits_on=Party.TEAM,
            deadline="3wd",
            customer_group="in_progress",
            stage=Stage.SHIPMENT,
            meaning=_("The checks are done: the team is sending your refund or shipping your items."),
        ),
        StatusFacts(
            # The replacement shipped ahead: the customer sends the item back. The return is due
            # 25 days after the shipment (at most a day before the hold must be settled), then
            # the hold is settled by its last safe day.
            Status.AWAITING_RETURN,
            Status.AWAITING_RETURN.label,
            waits_on=Party.CUSTOMER,
            due_field="awaiting_return_due_at",
            customer_group="action_required",
            stage=Stage.RETURN,
            meaning=_(
                "Advance replacement: your replacement is on its way, and PayPal holds its value on "
                "your account. Send the original item back by the date on the case page."
            ),
        ),
        StatusFacts(
            Status.COMPLETED,
            Status.COMPLETED.label,
            final=True,
            customer_group="closed",
            stage=Stage.FINISHED,
            customer_next=_("Nothing left to do: this RMA solution is complete."),
            team_next=_("Nothing: the case is completed."),
            meaning=_(
                "Finished: the refund went out or the items were shipped. The case page shows the "
                "reference or the tracking number."
            ),
        ),
        StatusFacts(
            Status.CANCELLED,
            Status.CANCELLED.label,
            final=True,
            customer_group="closed",
            stage=Stage.CLOSED,
            customer_email="cancelled",
            customer_next=_("Nothing left to do: this RMA solution was closed."),
            team_next=_("Nothing: the case is cancelled."),
            meaning=_("The case was closed without a solution being carried out."),
        ),
    )
}


def declare_status(facts: StatusFacts) -> None:
    """Add a status declared outside this table (by another app), read like the others."""
    if facts.status in STATUS_TABLE:
        raise ValueError(f"status {facts.status!r} is already declared")
    STATUS_TABLE[facts.status] = facts


def status_facts(status: str) -> StatusFacts:
    """The row of ``status``; an unknown status is a programming error."""
    return STATUS_TABLE[status]


def all_status_facts() -> Iterator[StatusFacts]:
    """Every row, in the order a case usually goes through them."""
    return iter(tuple(STATUS_TABLE.values()))


def statuses_where(**facts: object) -> frozenset[str]:
    """The statuses whose rows have all of ``facts`` (``statuses_where(final=True)``)."""
    return frozenset(
        row.status
        for row in STATUS_TABLE.values()
        if all(getattr(row, name) == value for name, value in facts.items())
    )


class StatusSet:
    """A class attribute naming the statuses whose rows have some facts, read from the table
    each time (``Case.FINAL_STATUSES = StatusSet(final=True)``)."""

    def __init__(self, **facts: object):
        self.facts = facts

    def __get__(self, instance: object, owner: type | None = None) -> frozenset[str]:
        return statuses_where(**self.facts)


# The open statuses, in the table's order: a partial index of the case lists them.
OPEN_STATUSES: tuple[str, ...] = tuple(str(row.status) for row in STATUS_TABLE.values() if not row.final)
