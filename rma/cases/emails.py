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

from rma.cases.models import Action, Case, CaseEvent, CaseMessage, Role
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


def _customer_template(event: CaseEvent) -> tuple[str, str] | None:
    case = event.case
    if event.action == Action.CLAIM_SEND:
        return "claim_received", _("We received your warranty claim %(number)s")
    if event.action == Action.DECLINE_CLAIM:
        return "claim_declined", _("%(number)s: your warranty claim was declined")
    if event.action == Action.ANSWER_CLAIM and event.to_status == Case.Status.PENDING_CONFIRM:
        return "solution_ready", _("Your RMA solution %(number)s is ready: please review it")
    if event.action in (Action.PUBLISH, Action.APPROVE) or (
        event.action == Action.REVISE and event.to_status == Case.Status.PENDING_CONFIRM
    ):
        if case.revision:
            return "solution_revised", _("Your RMA solution %(number)s was revised: please review it")
        return "solution_ready", _("Your RMA solution %(number)s is ready: please review it")
    if event.action == Action.REQUEST_INFO:
        return "info_requested", _("%(number)s: we need some information again")
    if event.action == Action.MARK_INFO_COMPLETE:
        return "info_received", _("%(number)s: we received your information")
    if event.action == Action.ACCEPT:
        return "info_accepted", _("%(number)s: your information was accepted")
    if event.action == Action.CANCEL:
        return "cancelled", _("%(number)s was closed")
    if event.action == Action.COMPLETE:
        return "completed", _("%(number)s is complete")
    if event.action == Action.SHIP_AHEAD:
        return "shipped_ahead", _("%(number)s: your replacement is on its way")
    if event.action in (Action.AGREE, Action.DISAGREE) and event.on_behalf:
        # The customer's own step, taken by the team: the customer hears of it.
        return "on_your_behalf", _("%(number)s: the warranty team answered for you")
    return None


def _team_template(event: CaseEvent) -> tuple[str, str] | None:
    if event.actor_role != Role.CUSTOMER:
        return None  # the team already knows what it did itself
    if event.action == Action.AGREE:
        return "team_agreed", _("%(number)s: the customer agreed to the solution")
    if event.action == Action.DISAGREE:
        return "team_disagreed", _("%(number)s: the customer disagreed with the solution")
    return None


def event_sends_email(event: CaseEvent) -> bool:
    """Whether ``event`` calls for an email, decided without touching the database."""
    if event.action == Action.ANSWER_CLAIM:
        return event.to_status == Case.Status.PENDING_CONFIRM
    if event.action in (
        Action.CLAIM_SEND,
        Action.DECLINE_CLAIM,
        Action.PUBLISH,
        Action.APPROVE,
        Action.REQUEST_INFO,
        Action.MARK_INFO_COMPLETE,
        Action.ACCEPT,
        Action.CANCEL,
        Action.COMPLETE,
        Action.SHIP_AHEAD,
    ):
        return True
    if event.action == Action.REVISE:
        return event.to_status == Case.Status.PENDING_CONFIRM
    return event.action in (Action.AGREE, Action.DISAGREE) and (
        event.actor_role == Role.CUSTOMER or event.on_behalf
    )


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
