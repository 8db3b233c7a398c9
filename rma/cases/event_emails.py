"""
From a case's event to its emails: one table per app, named in ``settings.RMA_EVENT_EMAILS``.

Each app's ``EmailTable`` says which emails an event sends (``choose``, decided from the event
alone) and what each of them is (``EventEmail``: subject, recipient, the values its template
reads). ``rma.cases.workflow.write_event``, the one writer of events, asks the tables when it
writes one and queues a task per email chosen, naming the email; the task builds that email
and decides nothing again. So any event may send an email, and an app adds its own by adding
a row to its table, never by queueing a task of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string

from rma.cases.models import Case, CaseEvent
from rma.cases.replies import reply_headers
from rma_portal.emails import build_email

CUSTOMER, TEAM = "customer", "team"


@dataclass(frozen=True)
class EventEmail:
    """One email: its subject (``%(number)s`` is the case's number), who gets it (the case's
    customer, or the team: the assigned agent or the shared address), and the values its
    template reads beyond the case, the event and ``case_url`` (``context``, from the event)."""

    subject: str | Promise
    to: str = CUSTOMER
    context: Callable[[CaseEvent], Mapping[str, Any]] | None = None


def _nothing(event: CaseEvent) -> Sequence[str]:
    return ()


@dataclass(frozen=True)
class EmailTable:
    """An app's emails of events, by name (the template is ``emails/<app>/<name>``), and
    ``choose``: the names an event sends, from the event alone (the case as written)."""

    app: str
    emails: Mapping[str, EventEmail]
    choose: Callable[[CaseEvent], Sequence[str]] = field(default=_nothing)

    def chosen(self, event: CaseEvent) -> list[str]:
        return [f"{self.app}/{name}" for name in self.choose(event)]


def email_tables() -> list[EmailTable]:
    """The tables of ``settings.RMA_EVENT_EMAILS``, in order."""
    return [import_string(path) for path in settings.RMA_EVENT_EMAILS]


def event_emails(event: CaseEvent) -> list[str]:
    """The emails ``event`` sends, as ``"<app>/<name>"``; decided without touching the database."""
    return [email for table in email_tables() for email in table.chosen(event)]


def email_of(email: str) -> EventEmail | None:
    """The ``EventEmail`` named ``"<app>/<name>"``, if a table still has it."""
    app, _slash, name = email.partition("/")
    for table in email_tables():
        if table.app == app and name in table.emails:
            return table.emails[name]
    return None


# --- Who the email goes to ------------------------------------------------------------------


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


def answerable(case: Case, to: str) -> dict[str, object]:
    """The Reply-To and Message-ID tag that bring the customer's reply back to ``case``
    (``rma.cases.replies``); nothing for an email to the team."""
    return reply_headers(case.pk) if to == case.customer.email else {}


def case_email(
    case: Case,
    *,
    template: str,
    subject: str | Promise,
    to: str,
    context: Mapping[str, Any],
    subject_params: Mapping[str, Any] | None = None,
) -> EmailMultiAlternatives:
    """An unsent email about ``case`` to its customer (``to=CUSTOMER``) or the team (``TEAM``):
    the address, the language, the link to the case (its customer page or its admin page,
    unless ``context`` gives one) and the headers a reply finds the case by follow from who
    gets it. ``template`` names ``emails/<app>/<name>``; ``%(number)s`` in the subject is the
    case's number."""
    if to == CUSTOMER:
        address, language, link = case.customer.email, language_of(case.customer), case_url(case)
    else:
        address, language, link = team_address(case), team_language(case), case_admin_url(case)
    return build_email(
        template=template,
        subject=subject,
        subject_params={"number": case.number, **(subject_params or {})},
        to=address,
        context={"case": case, "case_url": link, **context},
        language=language,
        **answerable(case, address),
    )


def build_event_email(event: CaseEvent, email: str) -> EmailMultiAlternatives | None:
    """The email named ``email`` (``"<app>/<name>"``) about ``event``; ``None`` if no table
    has it any more."""
    spec = email_of(email)
    if spec is None:
        return None
    context = {"event": event, **(spec.context(event) if spec.context else {})}
    return case_email(event.case, template=email, subject=spec.subject, to=spec.to, context=context)
