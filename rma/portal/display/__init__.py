"""
How a case reads to its customer, derived from its status and the parts its solution needs.

Every sentence of the case page's next-step box, solution panel, step tracker and help links
comes from here (``case_words``), so what the page says always fits the case: nothing about
a return on a case that needs none, no "once you agree" after the customer agreed, a late
team saying it is late. Wording only; the rules stay in ``rma.cases`` and ``rma.required``.
"""

from rma.portal.display.checklist import ChecklistLine, checklist_line
from rma.portal.display.next_step import NextStep, next_step
from rma.portal.display.page import CaseWords, case_words, customer_sends, help_anchors
from rma.portal.display.solution import part_request, solution_sentences, what_follows
from rma.portal.display.timeline import event_sentence, warranty_sentence
from rma.portal.display.tracker import (
    StepState,
    TrackerStep,
    current_step,
    final_step_title,
    hold_captured,
    hold_end_title,
    tracker,
)

__all__ = [
    "CaseWords",
    "ChecklistLine",
    "NextStep",
    "StepState",
    "TrackerStep",
    "case_words",
    "checklist_line",
    "current_step",
    "customer_sends",
    "event_sentence",
    "final_step_title",
    "help_anchors",
    "hold_captured",
    "hold_end_title",
    "next_step",
    "part_request",
    "solution_sentences",
    "tracker",
    "warranty_sentence",
    "what_follows",
]
