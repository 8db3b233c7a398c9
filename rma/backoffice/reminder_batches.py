"""
One batch of the beat task's reminders or overdue flags (``reminders``): the cases it is
handed are locked as they are read, and each gets one ``CaseReminder`` row and one event.

On PostgreSQL a single statement does it all: it locks the cases (``FOR UPDATE SKIP
LOCKED``: a second beat run at the same moment passes them by), inserts their reminders
(``ON CONFLICT DO NOTHING``: the unique constraint of one reminder per deadline refuses a
case that a run which has just committed claimed already, though the statement's snapshot
does not show its row), the events of the reminders it wrote, and returns what it read. No
case is loaded into Python. Elsewhere (the embedded SQLite) the ORM does the same in four
queries. Neither changes the case itself, so the reports' figures (``figures``) stay as
they are; both queue the emails the apps' tables choose for the events, as ``write_event`` does.
"""

from __future__ import annotations

import datetime
import json
from typing import NamedTuple

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from rma.backoffice.models import CaseReminder
from rma.cases.models import Action, Case, CaseEvent
from rma.cases.workflow import queue_event_email, role_of, write_step_events
from rma_portal.page_cache import customers_pages_changed


class Claimed(NamedTuple):
    """The reminders a batch wrote, and the due time and id of the last case it read."""

    reminder_ids: list[int]
    last: tuple[datetime.datetime, int]


def claim_cases(*, kind: str, cases: QuerySet[Case], now: datetime.datetime) -> Claimed | None:
    """Lock ``cases`` (a sliced, ordered ``select_for_update(skip_locked=True)``), write a
    reminder of ``kind`` and its event for each not reminded of its deadline yet; ``None``
    when there is no case left. Run inside the batch's transaction."""
    if connections[cases.db].vendor == "postgresql":
        return _claim_in_one_statement(kind=kind, cases=cases, now=now)
    return _claim_with_the_orm(kind=kind, cases=cases, now=now)


def _action(kind: str) -> str:
    return Action.FLAG_OVERDUE if kind == CaseReminder.Kind.OVERDUE else Action.REMIND


def _claim_with_the_orm(*, kind: str, cases: QuerySet[Case], now: datetime.datetime) -> Claimed | None:
    locked = list(cases)
    if not locked:
        return None
    # Read again under the locks: a run that claimed one of them has committed by now.
    done = set(CaseReminder.objects.filter(case__in=locked, kind=kind).values_list("case_id", "due_at"))
    fresh = [case for case in locked if (case.pk, case.due_at) not in done]
    reminders = CaseReminder.objects.bulk_create(
        [
            CaseReminder(case=case, kind=kind, status=case.status, due_at=case.due_at, created_at=now)
            for case in fresh
        ]
    )
    write_step_events(
        cases=fresh,
        actor=None,
        role=role_of(None),
        action=_action(kind),
        data=lambda case: {"kind": kind, "due_at": case.due_at.isoformat()},
    )
    return Claimed([reminder.pk for reminder in reminders], (locked[-1].due_at, locked[-1].pk))


# ``datetime.isoformat()`` of a due time read back in UTC, as the ORM path writes it into
# the event: microseconds only when there are some.
_ISO_UTC = (
    "to_char(picked.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
    " || CASE WHEN mod(date_part('microseconds', picked.due_at)::bigint, 1000000) = 0 THEN ''"
    " ELSE to_char(picked.due_at AT TIME ZONE 'UTC', '.US') END || '+00:00'"
)

_STATEMENT = """
WITH picked (id, status, due_at, customer_id) AS MATERIALIZED ({cases}),
claimed AS (
    INSERT INTO {reminders} (case_id, kind, status, due_at, created_at)
    SELECT id, %s, status, due_at, %s FROM picked
    ON CONFLICT DO NOTHING
    RETURNING id, case_id
),
written AS (
    INSERT INTO {events} (
        case_id, actor_id, actor_role, on_behalf, action, from_status, to_status, comment, data,
        ip, user_agent, created_at
    )
    SELECT picked.id, NULL, %s, FALSE, %s, picked.status, picked.status, '',
        jsonb_build_object('kind', %s::text, 'due_at', {iso}), NULL, '', %s
    FROM claimed JOIN picked ON picked.id = claimed.case_id
    RETURNING id, case_id, data
)
SELECT picked.id, picked.due_at, picked.customer_id, claimed.id, written.id, picked.status, written.data
FROM picked LEFT JOIN claimed ON claimed.case_id = picked.id LEFT JOIN written ON written.case_id = picked.id
ORDER BY picked.due_at, picked.id
"""


def _claim_in_one_statement(*, kind: str, cases: QuerySet[Case], now: datetime.datetime) -> Claimed | None:
    connection = connections[cases.db]
    read = cases.values_list("pk", "status", "due_at", "customer_id")
    cases_sql, cases_params = read.query.get_compiler(using=cases.db).as_sql()
    statement = _STATEMENT.format(
        cases=cases_sql,
        reminders=connection.ops.quote_name(CaseReminder._meta.db_table),
        events=connection.ops.quote_name(CaseEvent._meta.db_table),
        iso=_ISO_UTC,
    )
    params = (*cases_params, kind, now, role_of(None), _action(kind), kind, timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    claimed = [(row[3], row[2]) for row in rows if row[3]]
    customers_pages_changed({customer_id for _reminder_id, customer_id in claimed})
    # The events were written here rather than by ``write_event``: the emails the apps' tables
    # choose for them are queued as the writer would.
    for pk, _due, _customer, _reminder, event_id, status, data in rows:
        if event_id:
            queue_event_email(
                CaseEvent(
                    pk=event_id,
                    case_id=pk,
                    actor_role=role_of(None),
                    action=_action(kind),
                    from_status=status,
                    to_status=status,
                    data=data if isinstance(data, dict) else json.loads(data),
                )
            )
    last_pk, last_due_at = rows[-1][0], rows[-1][1]
    return Claimed([reminder_id for reminder_id, _customer_id in claimed], (last_due_at, last_pk))
