"""
The emails of a case's lifecycle (the table ``TABLE``, read by ``rma.cases.event_emails``
when an event is written) and of its conversation, as text and HTML.

Builders return an unsent message; the tasks in ``rma.cases.tasks`` send them. Every email
links to the case: the customer's page, or the case in admin for the team.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.utils.translation import gettext_lazy as _

from rma.cases.event_emails import (
    CUSTOMER,
    TEAM,
    EmailTable,
    EventEmail,
    build_event_email,
    case_email,
    event_emails,
)
from rma.cases.models import Action, CaseEvent, CaseMessage, Role, status_facts

# Every email of a case's lifecycle: its template (``templates/emails/rma/<name>``), its
# subject, and whether the team gets it.
EMAILS = {
    "claim_received": EventEmail(_("We received your warranty claim %(number)s")),
    "claim_declined": EventEmail(_("%(number)s: your warranty claim was declined")),
    "solution_ready": EventEmail(_("Your RMA solution %(number)s is ready: please review it")),
    "solution_revised": EventEmail(_("Your RMA solution %(number)s was revised: please review it")),
    "info_requested": EventEmail(_("%(number)s: we need some information again")),
    "info_received": EventEmail(_("%(number)s: we received your information")),
    "info_accepted": EventEmail(_("%(number)s: your information was accepted")),
    "cancelled": EventEmail(_("%(number)s was closed")),
    "completed": EventEmail(_("%(number)s is complete")),
    "shipped_ahead": EventEmail(_("%(number)s: your replacement is on its way")),
    "on_your_behalf": EventEmail(_("%(number)s: the warranty team answered for you")),
    "team_agreed": EventEmail(_("%(number)s: the customer agreed to the solution"), to=TEAM),
    "team_disagreed": EventEmail(_("%(number)s: the customer disagreed with the solution"), to=TEAM),
}
# The customer's email of an action, whatever status it leads to; an action not listed sends
# the email of the status it enters (its row's ``customer_email`` in the status table).
CUSTOMER_EMAIL_OF_ACTION = {
    Action.DECLINE_CLAIM: "claim_declined",
    Action.REQUEST_INFO: "info_requested",
    Action.ACCEPT: "info_accepted",
    Action.COMPLETE: "completed",
    Action.SHIP_AHEAD: "shipped_ahead",
}
# The team's email of the customer's own step.
TEAM_EMAIL_OF_ACTION = {Action.AGREE: "team_agreed", Action.DISAGREE: "team_disagreed"}
STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR})


def _entered(event: CaseEvent) -> str:
    """The status ``event`` moved the case into, if it moved it."""
    return event.to_status if event.to_status and event.to_status != event.from_status else ""


def _customer_email(event: CaseEvent) -> str:
    """The customer's email ``event`` sends."""
    if event.action in (Action.AGREE, Action.DISAGREE):
        # The customer's own step, taken by the team: the customer hears of it.
        return "on_your_behalf" if event.on_behalf else ""
    if event.action in CUSTOMER_EMAIL_OF_ACTION:
        return CUSTOMER_EMAIL_OF_ACTION[event.action]
    entered = _entered(event)
    email = status_facts(entered).customer_email if entered else ""
    # The case as written: a solution offered again is a revised one.
    return "solution_revised" if email == "solution_ready" and event.case.revision else email


def _team_email(event: CaseEvent) -> str:
    """The team's email ``event`` sends: never about what the team did itself."""
    if event.actor_role in STAFF_ROLES:
        return ""
    if event.actor_role == Role.CUSTOMER and event.action in TEAM_EMAIL_OF_ACTION:
        return TEAM_EMAIL_OF_ACTION[event.action]
    entered = _entered(event)
    return status_facts(entered).team_email if entered else ""


def choose(event: CaseEvent) -> tuple[str, ...]:
    """The lifecycle's email of ``event``: the customer's if it sends one, else the team's."""
    email = _customer_email(event) or _team_email(event)
    return (email,) if email else ()


TABLE = EmailTable(app="rma", emails=EMAILS, choose=choose)


def event_sends_email(event: CaseEvent) -> bool:
    """Whether ``event`` calls for an email in any app's table."""
    return bool(event_emails(event))


def build_case_event_email(event: CaseEvent, email: str = "") -> EmailMultiAlternatives | None:
    """The email ``email`` about ``event``; without a name, the first one the tables choose."""
    email = email or next(iter(event_emails(event)), "")
    return build_event_email(event, email) if email else None


def build_case_message_email(message: CaseMessage) -> EmailMultiAlternatives:
    """Tell the other side of the conversation that a message arrived."""
    if message.sender == CaseMessage.Sender.CUSTOMER:
        template, subject, to = "rma/team_message", _("%(number)s: new message from the customer"), TEAM
    else:
        template, subject, to = (
            "rma/customer_message",
            _("%(number)s: a new message from the warranty team"),
            CUSTOMER,
        )
    return case_email(message.case, template=template, subject=subject, to=to, context={"message": message})
