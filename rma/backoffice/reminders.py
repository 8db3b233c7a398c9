"""
Reminders before a customer's deadline, and overdue flags for the team.

A Celery beat task (``rma.backoffice.tasks.send_deadline_reminders``) calls ``remind_due_cases`` and
``flag_overdue_cases``. Cases are claimed in batches, one transaction each, in order of due
time, each batch reading on from the last case of the one before: the qualifying case rows
are locked with ``SKIP LOCKED`` (a second beat run working at the same moment passes them
by), and one ``CaseReminder`` row per case is written, whose unique constraint allows one
reminder of a kind per deadline, with its event (``reminder_batches``: one statement on
PostgreSQL). The emails of a batch go out after the commit, from one task, queued through
the outbox in the batch's transaction, that checks each case once more.

Agents may also remind customers by hand (``case_remind``), at most once a day per case.
"""

from __future__ import annotations

import datetime

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.backoffice.models import CaseReminder
from rma.backoffice.reminder_batches import Claimed, claim_cases
from rma.cases.deadlines import Party, reminder_lead, statuses_waiting_on
from rma.cases.event_emails import CUSTOMER, TEAM, case_email
from rma.cases.models import Action, Actor, Case
from rma.cases.workflow import (
    NO_META,
    CaseActionError,
    CaseStatusError,
    RequestMeta,
    lock_case,
    role_of,
    write_step_event,
)
from rma_portal.tasks import queue_after_commit

# Cases claimed, and emails queued as one task, per transaction of the beat task.
CLAIM_BATCH = 1000
MANUAL_REMINDER_GAP = datetime.timedelta(hours=24)


def _due_for_reminder(now: datetime.datetime) -> Q:
    return Q(
        status__in=statuses_waiting_on(Party.CUSTOMER), due_at__gt=now, due_at__lte=now + reminder_lead()
    )


def _overdue(now: datetime.datetime) -> Q:
    return Q(due_at__lte=now) & ~Q(status__in=Case.FINAL_STATUSES)


def _queue_email(reminder: CaseReminder) -> None:
    queue_after_commit("rma.tasks.send_case_reminder_email", reminder_id=reminder.pk)


def _next_cases(*, kind: str, eligible: Q, after: tuple[datetime.datetime, int] | None) -> QuerySet[Case]:
    """Up to ``CLAIM_BATCH`` qualifying cases not reminded of their deadline yet, in order of
    due time, after ``after`` (the due time and id of the last case the run read), so a
    backlog is read once rather than once per batch; locked as they are read, passing by
    those another run holds."""
    already = CaseReminder.objects.filter(case=OuterRef("pk"), kind=kind, due_at=OuterRef("due_at"))
    cases = Case.objects.filter(eligible).filter(~Exists(already))
    if after is not None:
        due_at, pk = after
        cases = cases.filter(Q(due_at__gt=due_at) | Q(due_at=due_at, pk__gt=pk), due_at__gte=due_at)
    return cases.select_for_update(skip_locked=True).order_by("due_at", "pk")[:CLAIM_BATCH]


def _claim_batch(
    *, kind: str, eligible: Q, now: datetime.datetime, after: tuple[datetime.datetime, int] | None
) -> Claimed | None:
    """Claim the next batch in one transaction (``claim_cases``: the reminder rows and their
    events, set-based) and queue one task for its emails. ``None`` when none is left."""
    with transaction.atomic():
        cases = _next_cases(kind=kind, eligible=eligible, after=after)
        claimed = claim_cases(kind=kind, cases=cases, now=now)
        if claimed is not None and claimed.reminder_ids:
            queue_after_commit("rma.tasks.send_case_reminder_emails", reminder_ids=claimed.reminder_ids)
    return claimed


def _claim_all(*, kind: str, eligible: Q, now: datetime.datetime) -> int:
    total, after = 0, None
    while (claimed := _claim_batch(kind=kind, eligible=eligible, now=now, after=after)) is not None:
        total += len(claimed.reminder_ids)
        after = claimed.last
    return total


def remind_due_cases(*, now: datetime.datetime | None = None) -> int:
    """Remind each customer whose deadline is near, once per deadline; returns how many."""
    now = now or timezone.now()
    return _claim_all(kind=CaseReminder.Kind.CUSTOMER, eligible=_due_for_reminder(now), now=now)


def flag_overdue_cases(*, now: datetime.datetime | None = None) -> int:
    """Tell the team about each case past its due time, once per deadline; returns how many."""
    now = now or timezone.now()
    return _claim_all(kind=CaseReminder.Kind.OVERDUE, eligible=_overdue(now), now=now)


def case_remind(*, case: Case, actor: Actor, meta: RequestMeta | None = None) -> CaseReminder:
    """An agent reminds the customer of their pending step now (at most once a day)."""
    if not actor.has_perm("rma.change_case"):
        raise CaseActionError(_("You do not have the permission to remind customers."))
    with transaction.atomic():
        locked = lock_case(case)
        if locked.status not in statuses_waiting_on(Party.CUSTOMER):
            raise CaseStatusError(
                _("%(number)s is “%(status)s”: the customer has nothing to do, so no reminder was sent.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        recent = CaseReminder.objects.filter(
            case=locked,
            kind__in=[CaseReminder.Kind.CUSTOMER, CaseReminder.Kind.MANUAL],
            created_at__gt=timezone.now() - MANUAL_REMINDER_GAP,
        )
        if recent.exists():
            raise CaseActionError(
                _("%(number)s: the customer was reminded less than a day ago.") % {"number": locked.number}
            )
        reminder = CaseReminder.objects.create(
            case=locked, kind=CaseReminder.Kind.MANUAL, status=locked.status, due_at=locked.due_at
        )
        write_step_event(
            case=locked,
            actor=actor,
            role=role_of(actor),
            action=Action.REMIND,
            data={"kind": CaseReminder.Kind.MANUAL},
            meta=meta or NO_META,
        )
        _queue_email(reminder)
    return reminder


def reminder_still_applies(reminder: CaseReminder) -> bool:
    """Whether the case is where it was when the reminder was claimed."""
    case = reminder.case
    return case.status == reminder.status and case.due_at == reminder.due_at


def reminder_mark_sent(*, reminder: CaseReminder) -> None:
    """Record that the reminder's email went out (the event was written when it was claimed)."""
    CaseReminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=timezone.now())


def build_reminder_email(reminder: CaseReminder) -> EmailMultiAlternatives:
    """The customer's reminder, or the team's overdue flag."""
    case = reminder.case
    if reminder.kind == CaseReminder.Kind.OVERDUE:
        template, to = "rma/team_overdue", TEAM
        subject = gettext_lazy("%(number)s is overdue (“%(status)s”)")
    else:
        template, to, subject = (
            "rma/reminder",
            CUSTOMER,
            gettext_lazy("Reminder: %(number)s is waiting for you"),
        )
    return case_email(
        case,
        template=template,
        subject=subject,
        to=to,
        context={"reminder": reminder},
        # The status's label is lazy: it is written in the recipient's language.
        subject_params={"status": Case.Status(case.status).label},
    )
