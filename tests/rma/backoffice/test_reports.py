"""Report figures against a hand-computed set of cases, and the SVG chart helper."""

import datetime
import re

import pytest

from rma.backoffice.charts import bar_chart_svg
from rma.backoffice.reports import build_report, week_start
from rma.cases.models import Action, Case
from tests.factories import CaseFactory
from tests.rma.backoffice.conftest import at, history

S = Case.Status
BAR = r'<rect x="180" y="\d+" width="([\d.]+)" height="\d+" fill="#[0-9a-f]+" class="chart__bar"/>'


def report():
    return build_report(start=datetime.date(2026, 11, 2), end=datetime.date(2026, 11, 15))


def test_totals_for_the_period(fixture_cases):
    figures = report()
    assert (figures.opened, figures.completed, figures.cancelled) == (5, 3, 1)


def test_cases_opened_and_completed_per_week(fixture_cases):
    weeks = [(row.week_start, row.opened, row.completed, row.cancelled) for row in report().weeks]
    assert weeks == [
        (datetime.date(2026, 11, 2), 3, 1, 0),
        (datetime.date(2026, 11, 9), 2, 2, 1),
    ]


def test_median_time_from_visible_to_completed_counts_from_the_first_offer(fixture_cases):
    # Cases one, two and five took 4, 7 and 23 days; the cancelled case does not count.
    assert report().median_days == 7.0


def test_figures_by_solution_type(fixture_cases):
    rows = {row.solution_type: (row.opened, row.completed) for row in report().by_solution}
    assert rows == {"refund": (2, 1), "replacement": (2, 2), "resend": (1, 0)}


def test_figures_by_status_now_include_cases_outside_the_period(fixture_cases):
    rows = {row.status: row.count for row in report().by_status}
    assert rows["completed"] == 3
    assert rows["cancelled"] == 1
    assert rows["awaiting_info"] == 1
    assert rows["pending_confirm"] == 1
    assert rows["draft"] == 1
    assert sum(rows.values()) == 7


def test_figures_per_agent(fixture_cases):
    rows = [(row.name, row.open_now, row.completed, row.median_days) for row in report().per_agent]
    assert rows == [
        ("Alice Agent", 1, 2, 5.5),
        ("Bob Agent", 1, 0, None),
        ("Unassigned", 1, 1, 23.0),
    ]


def test_a_narrowed_case_list_narrows_every_figure(fixture_cases):
    figures = build_report(
        start=datetime.date(2026, 11, 2),
        end=datetime.date(2026, 11, 15),
        narrow={"solution_type": Case.SolutionType.REFUND},
    )
    assert (figures.opened, figures.completed, figures.cancelled) == (2, 1, 1)
    assert figures.median_days == 7.0


def test_a_case_completed_twice_in_its_trail_counts_once_at_its_first_completion(fixture_cases):
    case = Case.objects.get(created_at=at(11, 2, 9))
    history(case, (at(11, 13), Action.COMPLETE, S.PROCESSING, S.COMPLETED))
    figures = report()
    assert figures.completed == 3
    assert [row.completed for row in figures.weeks] == [1, 2]


def test_a_period_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        build_report(start=datetime.date(2026, 11, 15), end=datetime.date(2026, 11, 2))


def test_weeks_start_on_monday():
    assert week_start(datetime.date(2026, 11, 15)) == datetime.date(2026, 11, 9)
    assert week_start(datetime.date(2026, 11, 9)) == datetime.date(2026, 11, 9)


def test_bar_chart_draws_one_bar_per_value_scaled_to_the_largest():
    svg = str(
        bar_chart_svg(
            title="Cases per week",
            labels=["2 Nov", "9 Nov"],
            series=[("Opened", [3, 6]), ("Completed", [1, 0])],
            width=680,
            label_width=180,
        )
    )
    widths = [float(value) for value in re.findall(BAR, svg)]
    # Bars area is 680 - 180 - 60 = 440 wide; 6 is the largest value.
    assert widths == [220.0, 73.3, 440.0, 0.0]
    assert "<title>Cases per week</title>" in svg
    assert "2 Nov: Opened 3, Completed 1; 9 Nov: Opened 6, Completed 0" in svg
    assert 'role="img"' in svg


def test_bar_chart_escapes_labels_and_uses_no_style_attribute():
    svg = str(bar_chart_svg(title="<b>x</b>", labels=["<script>alert(1)</script>"], series=[("n", [1])]))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "style=" not in svg


def test_bar_chart_of_nothing_but_zeros_draws_empty_bars():
    svg = str(bar_chart_svg(title="t", labels=["a", "b"], series=[("n", [0, 0])]))
    assert re.findall(BAR, svg) == ["0", "0"]


def test_a_case_keeps_the_earliest_moment_of_each_milestone_its_events_reach(db):
    case = CaseFactory(status=S.COMPLETED)
    history(
        case,
        (at(11, 9), Action.COMPLETE, S.PROCESSING, S.COMPLETED),
        (at(11, 2), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM),
        (at(11, 5), Action.REVISE, S.DISAGREED, S.PENDING_CONFIRM),
        (at(11, 7), Action.COMPLETE, S.PROCESSING, S.COMPLETED),
    )
    case.refresh_from_db()
    assert (case.first_visible_at, case.first_completed_at, case.first_cancelled_at) == (
        at(11, 2),
        at(11, 7),
        None,
    )
