"""
The reports' figures kept up to date as cases change: per day, cases opened, completed for
the first time and cancelled (``CaseDayFigure``), and the cases in each status now
(``CaseStatusFigure``), each by solution and warehouse.

Every change of a case goes through its model: a case saved (created, moved to another
status, its solution or warehouse edited) moves its counts here (``case_saved``), and the
event that first completes or cancels it adds to its day (``event_saved``). The reports then
add up a few rows per day instead of counting a million cases. ``rebuild`` counts them all
again (``manage.py backfill_case_figures``, and the migration that made the tables).
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.db.models.signals import post_init, post_save
from django.utils import timezone

from rma.backoffice.models import CaseDayFigure, CaseStatusFigure
from rma.cases.models import Case, CaseEvent

TRACKED = (
    "status",
    "solution_type",
    "warehouse_id",
    "created_at",
    "first_completed_at",
    "first_cancelled_at",
)


def local_day(moment: datetime.datetime) -> datetime.date:
    """The day of ``moment`` where the team works (``settings.TIME_ZONE``)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def _add(model, key: dict, **deltas: int) -> None:
    """Add ``deltas`` to the figures of ``key``: to one row holding it, or a new one."""
    deltas = {name: value for name, value in deltas.items() if value}
    if not deltas:
        return
    match = Q(**{name: value for name, value in key.items() if value is not None}) & Q(
        **{f"{name}__isnull": True for name, value in key.items() if value is None}
    )
    row = model.objects.filter(match).order_by("pk").values("pk")[:1]
    added = {name: F(name) + value for name, value in deltas.items()}
    updated = model.objects.filter(pk__in=row).update(**added)
    if not updated:
        model.objects.create(**key, **deltas)


def _snapshot(case: Case) -> tuple | None:
    values = case.__dict__
    if case.pk is None or any(name not in values for name in TRACKED):
        return None  # a new case, or one read with some columns deferred: nothing to compare
    return tuple(values[name] for name in TRACKED)


def _remember(sender, instance: Case, **kwargs) -> None:
    instance._figures_was = _snapshot(instance)


def _contributions(values: tuple) -> list[tuple[type, dict, dict]]:
    status, solution, warehouse, created_at, completed_at, cancelled_at = values
    found = [(CaseStatusFigure, {"status": status}, {"count": 1})]
    if created_at:
        found.append((CaseDayFigure, {"day": local_day(created_at)}, {"opened": 1}))
    if completed_at:
        found.append((CaseDayFigure, {"day": local_day(completed_at)}, {"completed": 1}))
    elif cancelled_at:
        found.append((CaseDayFigure, {"day": local_day(cancelled_at)}, {"cancelled": 1}))
    dimensions = {"solution_type": solution, "warehouse_id": warehouse}
    return [(model, {**key, **dimensions}, n) for model, key, n in found]


def case_saved(sender, instance: Case, created: bool, raw: bool = False, **kwargs) -> None:
    """Move the case's counts from what it was to what it is."""
    if raw:
        return
    was = getattr(instance, "_figures_was", None)
    now = _snapshot(instance) if not created else tuple(getattr(instance, name) for name in TRACKED)
    if now is None or now == was or (was is None and not created):
        instance._figures_was = now
        return
    # The milestones are the events' (event_saved): only the rows they already counted move.
    now = (*now[:4], *(was[4:] if was is not None else (None, None)))
    changes: Counter = Counter()
    for sign, values in ((-1, was), (1, now)):
        for model, key, deltas in _contributions(values) if values else ():
            for name, value in deltas.items():
                changes[(model, tuple(sorted(key.items())), name)] += sign * value
    with transaction.atomic():
        for (model, key, name), value in changes.items():
            _add(model, dict(key), **{name: value})
    instance._figures_was = (*now[:4], *(instance.__dict__.get(name) for name in TRACKED[4:]))


def event_saved(sender, instance: CaseEvent, created: bool, raw: bool = False, **kwargs) -> None:
    """The day's completed or cancelled count, when the event is the case's first of its kind."""
    field = instance.milestone
    if raw or not created or field not in ("first_completed_at", "first_cancelled_at"):
        return
    first = (
        Case.objects.filter(pk=instance.case_id)
        .values_list(field, "solution_type", "warehouse_id", "first_completed_at")
        .first()
    )
    # Sent as the event is saved, before it writes its moment onto the case (CaseEvent.save).
    if first is None or (first[0] is not None and first[0] <= instance.created_at):
        return  # not its first completion or cancellation
    _moment, solution, warehouse, completed_at = first
    if field == "first_cancelled_at" and completed_at is not None:
        return  # a case completed at some point is never counted as cancelled
    name = "completed" if field == "first_completed_at" else "cancelled"
    key = {"day": local_day(instance.created_at), "solution_type": solution, "warehouse_id": warehouse}
    _add(CaseDayFigure, key, **{name: 1})


def connect_signals() -> None:
    post_init.connect(_remember, sender=Case, dispatch_uid="case_figures_remember")
    post_save.connect(case_saved, sender=Case, dispatch_uid="case_figures_case")
    post_save.connect(event_saved, sender=CaseEvent, dispatch_uid="case_figures_event")


def _per_day(cases: QuerySet, field: str, name: str, counts: Counter) -> None:
    tz = timezone.get_default_timezone()
    rows = (
        cases.filter(**{f"{field}__isnull": False})
        .order_by()
        .values_list(TruncDate(field, tzinfo=tz), "solution_type", "warehouse_id")
        .annotate(n=Count("pk"))
    )
    for day, solution, warehouse, n in rows:
        counts[(day, solution, warehouse, name)] += n


@transaction.atomic
def rebuild(*, case_model=Case, day_model=CaseDayFigure, status_model=CaseStatusFigure) -> tuple[int, int]:
    """Count every case again into both tables; returns how many rows each holds. (The
    migration that made the tables passes its own historical models.)"""
    counts: Counter = Counter()
    cases = case_model.objects
    _per_day(cases.all(), "created_at", "opened", counts)
    _per_day(cases.all(), "first_completed_at", "completed", counts)
    _per_day(cases.filter(first_completed_at__isnull=True), "first_cancelled_at", "cancelled", counts)
    days: dict[tuple, dict[str, int]] = {}
    for (day, solution, warehouse, name), n in counts.items():
        days.setdefault((day, solution, warehouse), {})[name] = n
    day_model.objects.all().delete()
    day_model.objects.bulk_create(
        [
            day_model(day=day, solution_type=solution, warehouse_id=warehouse, **figures)
            for (day, solution, warehouse), figures in days.items()
        ],
        batch_size=5000,
    )
    statuses = cases.order_by().values_list("status", "solution_type", "warehouse_id").annotate(n=Count("pk"))
    status_model.objects.all().delete()
    status_model.objects.bulk_create(
        [
            status_model(status=status, solution_type=solution, warehouse_id=warehouse, count=n)
            for status, solution, warehouse, n in statuses
        ]
    )
    return len(days), status_model.objects.count()
