"""The reports' figures kept per day and per status follow every change of a case, and
always agree with counting the cases again."""

import datetime

from django.db.models import Sum

from rma.backoffice.figures import rebuild
from rma.backoffice.models import CaseDayFigure, CaseStatusFigure
from rma.cases.models import Action, Case
from tests.factories import CaseFactory, WarehouseFactory
from tests.rma.backoffice.conftest import at, history

S = Case.Status


def day_figures() -> dict:
    rows = (
        CaseDayFigure.objects.order_by()
        .values_list("day", "solution_type", "warehouse_id")
        .annotate(o=Sum("opened"), c=Sum("completed"), x=Sum("cancelled"))
    )
    return {(d, s, w): (o, c, x) for d, s, w, o, c, x in rows if o or c or x}


def status_figures() -> dict:
    rows = CaseStatusFigure.objects.order_by().values_list("status", "solution_type").annotate(n=Sum("count"))
    return {(status, solution): n for status, solution, n in rows if n}


def test_the_figures_kept_as_cases_change_are_those_counted_again(fixture_cases):
    kept = (day_figures(), status_figures())
    assert kept[1][(S.COMPLETED, Case.SolutionType.REPLACEMENT)] == 2
    rebuild()
    assert day_figures() == kept[0]
    assert status_figures() == kept[1]


def test_a_new_status_moves_the_case_between_the_counts(db):
    case = CaseFactory(status=S.PENDING_CONFIRM)
    assert status_figures() == {(S.PENDING_CONFIRM, case.solution_type): 1}
    case.status = S.AWAITING_INFO
    case.save(update_fields=["status"])
    assert status_figures() == {(S.AWAITING_INFO, case.solution_type): 1}
    # Read again from the database, then changed: the same.
    again = Case.objects.get(pk=case.pk)
    again.status = S.PROCESSING
    again.save()
    assert status_figures() == {(S.PROCESSING, case.solution_type): 1}


def test_an_edited_solution_or_warehouse_moves_the_day_it_was_opened(db, settings):
    settings.TIME_ZONE = "UTC"
    case = CaseFactory(status=S.DRAFT, created_at=at(11, 2, 9))
    case.solution_type = Case.SolutionType.RESEND
    case.warehouse = WarehouseFactory()
    case.save()
    assert day_figures() == {(datetime.date(2026, 11, 2), "resend", case.warehouse_id): (1, 0, 0)}


def test_only_the_first_completion_counts_and_on_its_day(db, settings):
    settings.TIME_ZONE = "UTC"
    case = CaseFactory(status=S.COMPLETED, created_at=at(11, 2, 9))
    history(case, (at(11, 5), Action.COMPLETE, S.PROCESSING, S.COMPLETED))
    history(case, (at(11, 9), Action.COMPLETE, S.PROCESSING, S.COMPLETED))
    figures = day_figures()
    assert figures[(datetime.date(2026, 11, 5), case.solution_type, case.warehouse_id)] == (0, 1, 0)
    assert sum(completed for _o, completed, _x in figures.values()) == 1
