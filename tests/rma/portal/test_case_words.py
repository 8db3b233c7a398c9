"""
The words of the case page, for every (solution, needed parts, status): what the next-step
box, the solution panel, the tracker and the help links say comes from ``rma.portal.display``
and must fit the case. The expected values are written out in the tables below, independently
of the code that produces them.
"""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from rma.cases.models import Action, Case, CaseEvent
from rma.portal import display
from rma.required.models import PartState
from rma.required.parts import required_parts

S = Case.Status
VISIBLE_STATUSES = (
    S.PENDING_CONFIRM,
    S.DISAGREED,
    S.AWAITING_INFO,
    S.UNDER_REVIEW,
    S.PROCESSING,
    S.COMPLETED,
    S.CANCELLED,
)
SOLUTIONS = ("refund", "replacement", "resend")

# What the next-step box says first, by status (and, while processing, by solution).
NEXT_STEP = {
    S.PENDING_CONFIRM: (True, "Your move: read the solution, then agree to it"),
    S.AWAITING_INFO: (True, "Your move: send us the information listed below."),
    S.DISAGREED: (False, "Our move: the warranty team reads your comment and revises the solution."),
    S.UNDER_REVIEW: (False, "Our move: the warranty team checks what you sent."),
    S.COMPLETED: (False, "Nothing left to do: this RMA solution is complete."),
    S.CANCELLED: (False, "Nothing left to do: this RMA solution was closed."),
}
PROCESSING = {
    "refund": "Our move: the warranty team sends your refund.",
    "replacement": "Our move: the warranty team ships your replacement.",
    "resend": "Our move: the warranty team ships your items again.",
}
FINAL_STEP = {
    "refund": "We send the refund",
    "replacement": "We ship the replacement",
    "resend": "We ship the items again",
}
PART_STEP = {
    "return": "Send the return",
    "payment": "Send the payment proof",
    "address": "Confirm the address",
}
# The state of each kind of step, by status; "first_open" is the first part not yet in.
STEP_STATES = {
    S.PENDING_CONFIRM: {"agree": "current", "part": "to_come", "review": "to_come", "done": "to_come"},
    S.DISAGREED: {"agree": "current", "part": "to_come", "review": "to_come", "done": "to_come"},
    S.AWAITING_INFO: {"agree": "done", "part": "first_open", "review": "to_come", "done": "to_come"},
    S.UNDER_REVIEW: {"agree": "done", "part": "done", "review": "current", "done": "to_come"},
    S.PROCESSING: {"agree": "done", "part": "done", "review": "done", "done": "current"},
    S.COMPLETED: {"agree": "done", "part": "done", "review": "done", "done": "done"},
}
HELP = {
    S.PENDING_CONFIRM: ("respond", "statuses", "serial-number"),
    "other": ("statuses",),
}
# The customer still has to use the return address and the amount in these statuses only.
BEFORE_THE_PARTS = {S.PENDING_CONFIRM, S.AWAITING_INFO}


def expected_parts(solution: str, needs_return: bool, needs_payment: bool) -> list[str]:
    parts = []
    if needs_return:
        parts.append("return")
    if needs_payment:
        parts.append("payment")
    if solution in ("replacement", "resend"):
        parts.append("address")
    return parts


def make_case(solution: str, needs_return: bool, needs_payment: bool, status: str, **fields) -> Case:
    """A case as the page reads it; never saved, so nothing is queried."""
    now = timezone.now()
    return Case(
        number="RMA-2026-000042",
        status=status,
        solution_type=solution,
        return_required=needs_return,
        warehouse_id=1 if needs_return else None,
        payment_amount=Decimal("12.50") if needs_payment else None,
        payment_currency="USD" if needs_payment else "",
        refund_amount=Decimal("59.99") if solution == "refund" else None,
        refund_currency="USD" if solution == "refund" else "",
        country="US",
        status_changed_at=now - datetime.timedelta(days=1),
        due_at=fields.pop("due_at", now + datetime.timedelta(days=5)),
        **fields,
    )


def all_sentences(words: display.CaseWords) -> str:
    return " ".join(
        [
            words.next_step.text,
            words.next_step.due_text,
            *words.solution,
            words.requests_title,
            *words.requests,
            words.follows,
            words.commitment,
            *(step.title + " " + step.state_text for step in words.steps),
        ]
    )


def combinations():
    for solution, needs_return, needs_payment, status in itertools.product(
        SOLUTIONS, (False, True), (False, True), VISIBLE_STATUSES
    ):
        parts = expected_parts(solution, needs_return, needs_payment)
        if not parts and status in (S.AWAITING_INFO, S.UNDER_REVIEW):
            continue  # a solution that needs nothing goes from agreement straight to processing
        yield pytest.param(
            solution,
            needs_return,
            needs_payment,
            status,
            parts,
            id=f"{solution}-{'return' if needs_return else 'noreturn'}-"
            f"{'payment' if needs_payment else 'nopayment'}-{status}",
        )


@pytest.mark.parametrize(
    ("solution", "needs_return", "needs_payment", "status", "parts"), list(combinations())
)
def test_the_words_fit_the_case(solution, needs_return, needs_payment, status, parts):
    case = make_case(solution, needs_return, needs_payment, status)
    needed = required_parts(case)
    assert [part.key for part in needed] == parts

    words = display.case_words(case, needed)
    text = all_sentences(words)

    # The next-step box.
    yours, opening = (False, PROCESSING[solution]) if status == S.PROCESSING else NEXT_STEP[status]
    assert words.next_step.yours is yours
    assert words.next_step.text.startswith(opening)
    if status in (S.COMPLETED, S.CANCELLED):
        assert words.next_step.due is None and words.next_step.due_text == ""
    elif yours:
        assert words.next_step.due_text.startswith("Please do it by ")
    else:
        assert words.next_step.due_text.startswith("We aim to finish by ")

    # The solution panel: what it asks, only while the customer still has it to do.
    if status == S.PENDING_CONFIRM:
        assert len(words.requests) == len(parts)
        assert words.requests_title == ("What agreeing commits you to" if parts else "")
    elif status == S.AWAITING_INFO:
        assert len(words.requests) == len(parts)  # none is in yet
        assert words.requests_title == "What we still need from you"
    else:
        assert words.requests == [] and words.follows == "" and words.commitment == ""
    assert ("once you agree" in text.lower()) is (status == S.PENDING_CONFIRM)
    assert ("return has reached us" in text) is ("return" in parts and status in BEFORE_THE_PARTS)
    assert ("Send the items back" in text) is ("return" in parts and status in BEFORE_THE_PARTS)
    assert ("PayPal" in text) is ("payment" in parts and status in BEFORE_THE_PARTS)
    if "payment" in parts and status in BEFORE_THE_PARTS:
        assert "the payment page shows the PayPal account to pay" in text
    assert words.show_return_address is ("return" in parts and status in BEFORE_THE_PARTS)
    assert words.show_amount_due is ("payment" in parts and status in BEFORE_THE_PARTS)
    if solution == "refund" and not parts and status == S.PENDING_CONFIRM:
        assert words.follows == "Nothing to send back and nothing to pay: once you agree, we send the refund."
    if solution != "refund":
        assert "refund" not in text.lower()

    # The help links: only the answers about this case's own step.
    if status == S.AWAITING_INFO:
        expected = list(parts)
        if "return" in parts or "payment" in parts:
            expected.append("images")
        assert words.help_anchors == (*expected, "trouble")
    else:
        assert words.help_anchors == HELP.get(status, HELP["other"])

    # The tracker: the steps of this case, each in its state.
    steps = [(step.key, step.title, step.state) for step in words.steps]
    if status == S.CANCELLED:
        assert steps == [("closed", "Closed", "done")]
    else:
        states = STEP_STATES[status]
        expected_steps = [("agree", "Agree to the solution", states["agree"])]
        for position, part in enumerate(parts):
            state = states["part"]
            if state == "first_open":
                state = "current" if position == 0 else "to_come"
            expected_steps.append((part, PART_STEP[part], state))
        if parts:
            expected_steps.append(("review", "Our review", states["review"]))
        expected_steps.append(("done", FINAL_STEP[solution], states["done"]))
        assert steps == expected_steps
    assert [step.state for step in words.steps].count("current") <= 1

    # Every sentence is whole: no placeholder left, no doubled punctuation.
    assert "%(" not in text and ".." not in text and ".;" not in text


@pytest.mark.parametrize("status", [S.DISAGREED, S.UNDER_REVIEW, S.PROCESSING])
def test_a_late_team_says_it_is_late_not_a_date_in_the_past(status):
    case = make_case("replacement", True, False, status, due_at=timezone.now() - datetime.timedelta(days=2))

    step = display.next_step(case)

    assert step.late is True
    assert step.due_text.startswith("We are late: we aimed to finish this step by ")
    if status != S.DISAGREED:  # a disagreed case's step is the customer's answer to come, undated
        current = [step for step in display.tracker(case, required_parts(case)) if step.state == "current"]
        assert current[0].state_text.startswith("Now, due since ")
    assert "you do not need to do anything" in step.due_text
    assert "We aim to finish by" not in step.due_text


@pytest.mark.parametrize("status", [S.PENDING_CONFIRM, S.AWAITING_INFO])
def test_a_customer_past_their_date_is_asked_to_do_it_as_soon_as_they_can(status):
    case = make_case("refund", True, False, status, due_at=timezone.now() - datetime.timedelta(hours=1))

    step = display.next_step(case)

    assert step.late is True
    assert "has passed. Please do it as soon as you can" in step.due_text
    assert "Please do it by" not in step.due_text


def test_a_part_in_is_done_and_the_next_open_one_is_current():
    case = make_case("replacement", True, True, S.AWAITING_INFO)
    needed = required_parts(case)
    submitted_at = timezone.now() - datetime.timedelta(hours=3)
    needed[0] = type(needed[0])(
        **{**needed[0].__dict__, "state": PartState.SUBMITTED, "submitted_at": submitted_at}
    )

    words = display.case_words(case, needed)

    assert [(step.key, step.state) for step in words.steps] == [
        ("agree", "done"),
        ("return", "done"),
        ("payment", "current"),
        ("address", "to_come"),
        ("review", "to_come"),
        ("done", "to_come"),
    ]
    assert words.steps[1].when == submitted_at
    assert words.show_return_address is False  # the return is in: no address to send it to
    assert words.help_anchors == ("payment", "address", "images", "trouble")
    assert len(words.requests) == 2


# --- A replacement offering advance replacement -------------------------------------------

HOLD_END = "We receive your return and release the hold"


def advance_case(status: str, method: str = "", **fields) -> Case:
    """A replacement with a return that offers advance replacement; ``method`` as chosen."""
    placed = timezone.now() - datetime.timedelta(days=3) if method == "advance" else None
    return make_case(
        "replacement",
        True,
        False,
        status,
        advance_replacement=True,
        hold_amount=Decimal("129.99"),
        hold_currency="EUR",
        replacement_method=method,
        hold_placed_at=placed,
        return_due_at=placed + datetime.timedelta(days=25) if placed else None,
        **fields,
    )


def with_parts_in(case: Case, *keys: str) -> list:
    """The case's parts, those named marked as sent."""
    return [
        type(part)(**{**part.__dict__, "state": PartState.SUBMITTED}) if part.key in keys else part
        for part in required_parts(case)
    ]


@pytest.mark.parametrize(
    ("status", "method", "parts_in", "steps", "next_step", "requests", "help_anchors"),
    [
        (
            S.PENDING_CONFIRM, "", (),
            [("agree", "current"), ("method", "to_come"), ("return", "to_come"), ("address", "to_come"),
             ("review", "to_come"), ("done", "to_come")],
            "Your move: read the solution", 3, ("respond", "statuses", "serial-number"),
        ),
        (
            S.AWAITING_INFO, "", (),
            [("agree", "done"), ("method", "current"), ("return", "to_come"), ("address", "to_come"),
             ("review", "to_come"), ("done", "to_come")],
            "Your move: send us the information", 3, ("method", "return", "address", "images", "trouble"),
        ),
        (
            S.AWAITING_INFO, "standard", ("method",),
            [("agree", "done"), ("method", "done"), ("return", "current"), ("address", "to_come"),
             ("review", "to_come"), ("done", "to_come")],
            "Your move: send us the information", 2, ("return", "address", "images", "trouble"),
        ),
        (
            S.AWAITING_INFO, "advance", ("method",),
            [("agree", "done"), ("method", "done"), ("address", "current"), ("review", "to_come"),
             ("ship_ahead", "to_come"), ("return", "to_come"), ("done", "to_come")],
            "Your move: send us the information", 1, ("address", "trouble"),
        ),
        (
            S.PROCESSING, "advance", ("method", "address"),
            [("agree", "done"), ("method", "done"), ("address", "done"), ("review", "done"),
             ("ship_ahead", "current"), ("return", "to_come"), ("done", "to_come")],
            "Our move: the warranty team ships your replacement.", 0, ("statuses",),
        ),
        (
            S.AWAITING_RETURN, "advance", ("method", "address"),
            [("agree", "done"), ("method", "done"), ("address", "done"), ("review", "done"),
             ("ship_ahead", "done"), ("return", "current"), ("done", "to_come")],
            "Your move: your replacement is on its way.", 1, ("method", "return", "images", "trouble"),
        ),
        (
            S.AWAITING_RETURN, "advance", ("method", "address", "return"),
            [("agree", "done"), ("method", "done"), ("address", "done"), ("review", "done"),
             ("ship_ahead", "done"), ("return", "done"), ("done", "current")],
            "Our move: your return is on its way to us", 0, ("method", "return", "images", "trouble"),
        ),
        (
            S.COMPLETED, "advance", ("method", "address", "return"),
            [("agree", "done"), ("method", "done"), ("address", "done"), ("review", "done"),
             ("ship_ahead", "done"), ("return", "done"), ("done", "done")],
            "Nothing left to do", 0, ("statuses",),
        ),
    ],
)  # fmt: skip
def test_the_words_of_an_advance_replacement(
    status, method, parts_in, steps, next_step, requests, help_anchors
):
    case = advance_case(status, method)
    needed = with_parts_in(case, *parts_in)

    words = display.case_words(case, needed)
    text = all_sentences(words)

    assert [(step.key, step.state) for step in words.steps] == steps
    assert words.next_step.text.startswith(next_step)
    assert len(words.requests) == requests
    assert words.help_anchors == help_anchors
    # The return address shows only while the return is the customer's to send.
    return_open = status == S.PENDING_CONFIRM or (
        "return" not in parts_in
        and (status == S.AWAITING_RETURN or status == S.AWAITING_INFO and method != "advance")
    )
    assert words.show_return_address is return_open
    if method == "advance":
        assert "Send the items back to our warehouse" not in text  # the return comes after the shipment
        assert [step.title for step in words.steps][-1] == HOLD_END
    if method == "" and status in (S.PENDING_CONFIRM, S.AWAITING_INFO):
        assert words.requests[0].startswith("Choose how you get the replacement")
        assert "with advance replacement, we ship it first" in words.follows
    if status == S.AWAITING_RETURN and "return" not in parts_in:
        assert words.requests[0].startswith("Once your replacement has shipped")
        assert (
            words.follows == "When your return reaches us, we release the PayPal hold and nothing is charged."
        )
    assert "%(" not in text and ".." not in text


def test_an_advance_replacement_whose_return_never_came_ends_with_the_hold_charged():
    case = advance_case(S.COMPLETED, "advance")
    captured = CaseEvent(case=case, action=Action.CAPTURE_HOLD, created_at=timezone.now())

    steps = display.tracker(case, with_parts_in(case, "method", "address"), events=[captured])

    assert (steps[-1].title, steps[-1].state) == ("The PayPal hold was charged", "done")


def test_the_date_of_the_current_step_is_never_split_over_two_lines():
    due = timezone.now() + datetime.timedelta(days=5)
    case = make_case("replacement", True, False, S.AWAITING_INFO, due_at=due)

    with translation.override("fr"):
        [current] = [step for step in display.tracker(case, required_parts(case)) if step.state == "current"]
        day = date_format(timezone.localtime(due), "DATE_FORMAT")
        state = current.state_text

    assert " " in day
    assert day.replace(" ", "\N{NO-BREAK SPACE}") in state
