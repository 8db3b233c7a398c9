"""
The notification emails of a case, as text and HTML.

Builders return an unsent message (or ``None`` when an event warrants no email); the tasks in
``rma.cases.tasks`` send them. Every email links to the case: the customer's page, or the
case in admin for the team (``case_admin_url``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rma.cases.models import Action, Case, CaseEvent, CaseMessage, Role, status_facts
from rma_portal.emails import build_email


def case_url(case: Case) -> str:
    """The customer's page of ``case``, as a full address."""
    return settings.SITE_URL + case.get_absolute_url()


def case_admin_url(case: Case) -> str:
    """The team's page of ``case`` in admin, as a full address."""
    return settings.SITE_URL + reverse("admin:rma_case_change", args=[case.pk])


def team_address(case: Case) -> str:
    """The assigned agent, or the team's shared address when nobody is assigned."""
    if case.assigned_agent_id and case.assigned_agent.email:
        return case.assigned_agent.email
    return settings.WARRANTY_TEAM_EMAIL


def language_of(user) -> str:
    """The language ``user`` reads their emails in (their own, else the portal's default)."""
    return (getattr(user, "language", "") if user else "") or settings.LANGUAGE_CODE


def team_language(case: Case) -> str:
    """The language of the team's emails about ``case``: the assigned agent's."""
    return language_of(case.assigned_agent if case.assigned_agent_id else None)


def _build(*, template: str, subject: str, to: str, context: dict, language: str) -> EmailMultiAlternatives:
    case = context["case"]
    return build_email(
        template=f"rma/{template}",
        subject=subject,
        subject_params={"number": case.number},
        to=to,
        context=context,
        language=language,
    )


# Every email of a case event: its template (``templates/emails/rma/``) and its subject.
EMAILS = {
    "solution_ready": _("Your RMA solution %(number)s is ready: please review it"),
    "solution_revised": _("Your RMA solution %(number)s was revised: please review it"),
    "info_requested": _("%(number)s: we need some information again"),
    "info_received": _("%(number)s: we received your information"),
    "info_accepted": _("%(number)s: your information was accepted"),
    "cancelled": _("%(number)s was closed"),
    "completed": _("%(number)s is complete"),
    "shipped_ahead": _("%(number)s: your replacement is on its way"),
    "on_your_behalf": _("%(number)s: the warranty team answered for you"),
    "team_agreed": _("%(number)s: the customer agreed to the solution"),
    "team_disagreed": _("%(number)s: the customer disagreed with the solution"),
}
# The customer's email of an action, whatever status it leads to; an action not listed sends
# the email of the status it enters (its row's ``customer_email`` in the status table).
CUSTOMER_EMAIL_OF_ACTION = {
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
    """The customer's email ``event`` sends, decided without touching the database."""
    if event.action in (Action.AGREE, Action.DISAGREE):
        # The customer's own step, taken by the team: the customer hears of it.
        return "on_your_behalf" if event.on_behalf else ""
    if event.action in CUSTOMER_EMAIL_OF_ACTION:
        return CUSTOMER_EMAIL_OF_ACTION[event.action]
    entered = _entered(event)
    return status_facts(entered).customer_email if entered else ""


def _team_email(event: CaseEvent) -> str:
    """The team's email ``event`` sends: never about what the team did itself."""
    if event.actor_role in STAFF_ROLES:
        return ""
    if event.actor_role == Role.CUSTOMER and event.action in TEAM_EMAIL_OF_ACTION:
        return TEAM_EMAIL_OF_ACTION[event.action]
    entered = _entered(event)
    return status_facts(entered).team_email if entered else ""


def _customer_template(event: CaseEvent) -> tuple[str, str] | None:
    template = _customer_email(event)
    if template == "solution_ready" and event.case.revision:
        template = "solution_revised"
    return (template, EMAILS[template]) if template else None


def _team_template(event: CaseEvent) -> tuple[str, str] | None:
    template = _team_email(event)
    return (template, EMAILS[template]) if template else None


def event_sends_email(event: CaseEvent) -> bool:
    """Whether ``event`` calls for an email, decided without touching the database."""
    return bool(_customer_email(event) or _team_email(event))


def build_case_event_email(event: CaseEvent) -> EmailMultiAlternatives | None:
    """The email an event sends, to the customer or to the team, if any."""
    case = event.case
    context = {"case": case, "event": event, "case_url": case_url(case)}
    chosen = _customer_template(event)
    if chosen:
        template, subject = chosen
        return _build(
            template=template,
            subject=subject,
            to=case.customer.email,
            context=context,
            language=language_of(case.customer),
        )
    chosen = _team_template(event)
    if chosen:
        template, subject = chosen
        context["case_url"] = case_admin_url(case)
        return _build(
            template=template,
            subject=subject,
            to=team_address(case),
            context=context,
            language=team_language(case),
        )
    return None


def build_case_message_email(message: CaseMessage) -> EmailMultiAlternatives:
    """Tell the other side of the conversation that a message arrived."""
    case = message.case
    if message.sender == CaseMessage.Sender.CUSTOMER:
        return _build(
            template="team_message",
            subject=_("%(number)s: new message from the customer"),
            to=team_address(case),
            language=team_language(case),
            context={
                "case": case,
                "message": message,
                "case_url": case_admin_url(case),
            },
        )
    return _build(
        template="customer_message",
        subject=_("%(number)s: a new message from the warranty team"),
        to=case.customer.email,
        language=language_of(case.customer),
        context={"case": case, "message": message, "case_url": case_url(case)},
    )
