"""Report figures against a hand-computed set of cases, and the SVG chart helper."""

import datetime
import re

import pytest

from rma.models import Action, Case, Role
from rma.reports import bar_chart_svg, build_report, week_start
from tests.factories import AgentFactory, CaseEventFactory, CaseFactory

S = Case.Status
BAR = r'<rect x="180" y="\d+" width="([\d.]+)" height="\d+" fill="#[0-9a-f]+" class="chart__bar"/>'


def at(month, day, hour=0) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, tzinfo=datetime.UTC)


def history(case, *steps):
    """Write ``case``'s events: (when, action, from_status, to_status)."""
    for when, action, source, target in steps:
        CaseEventFactory(
            case=case,
            action=action,
            actor_role=Role.AGENT,
            from_status=source,
            to_status=target,
            created_at=when,
        )


@pytest.fixture
def fixture_cases(db, settings):
    """Seven cases around the period 2 to 15 November 2026 (two weeks, UTC).

    The expected figures in the tests below are worked out by hand from this list.
    """
    settings.TIME_ZONE = "UTC"
    alice = AgentFactory(full_name="Alice Agent")
    bob = AgentFactory(full_name="Bob Agent")
    one = CaseFactory(status=S.COMPLETED, assigned_agent=alice, created_at=at(11, 2, 9))
    history(
        one,
        (at(11, 2, 10), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM),
        (at(11, 3), Action.AGREE, S.PENDING_CONFIRM, S.PROCESSING),
        (at(11, 6, 10), Action.COMPLETE, S.PROCESSING, S.COMPLETED),
    )
    # Disagreed, revised (visible a second time), then completed: 7 days from first visible.
    two = CaseFactory(status=S.COMPLETED, refund=True, assigned_agent=alice, created_at=at(11, 3, 8))
    history(
        two,
        (at(11, 3, 12), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM),
        (at(11, 4), Action.DISAGREE, S.PENDING_CONFIRM, S.DISAGREED),
        (at(11, 5), Action.REVISE, S.DISAGREED, S.PENDING_CONFIRM),
        (at(11, 6), Action.AGREE, S.PENDING_CONFIRM, S.PROCESSING),
        (at(11, 10, 12), Action.COMPLETE, S.PROCESSING, S.COMPLETED),
    )
    # Cancelled after a disagreement: never counted as completed.
    three = CaseFactory(status=S.CANCELLED, refund=True, assigned_agent=bob, created_at=at(11, 4))
    history(
        three,
        (at(11, 4, 1), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM),
        (at(11, 5), Action.DISAGREE, S.PENDING_CONFIRM, S.DISAGREED),
        (at(11, 9), Action.CANCEL, S.DISAGREED, S.CANCELLED),
    )
    four = CaseFactory(
        status=S.AWAITING_INFO,
        solution_type=Case.SolutionType.RESEND,
        assigned_agent=bob,
        created_at=at(11, 10),
    )
    history(
        four,
        (at(11, 10, 1), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM),
        (at(11, 11), Action.AGREE, S.PENDING_CONFIRM, S.AWAITING_INFO),
    )
    # Opened before the period, completed inside it: 23 days, nobody assigned.
    five = CaseFactory(status=S.COMPLETED, created_at=at(10, 19))
    history(
        five,
        (at(10, 20), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM),
        (at(10, 21), Action.AGREE, S.PENDING_CONFIRM, S.PROCESSING),
        (at(11, 12), Action.COMPLETE, S.PROCESSING, S.COMPLETED),
    )
    # Opened after the period.
    six = CaseFactory(status=S.PENDING_CONFIRM, assigned_agent=alice, created_at=at(11, 20))
    history(six, (at(11, 20, 1), Action.PUBLISH, S.DRAFT, S.PENDING_CONFIRM))
    # A draft nobody has picked up: opened in the period, never visible.
    CaseFactory(status=S.DRAFT, created_at=at(11, 11))
    return {"alice": alice, "bob": bob}


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
        cases=Case.objects.filter(solution_type=Case.SolutionType.REFUND),
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
