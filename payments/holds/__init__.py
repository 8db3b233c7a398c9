"""
Every write about the replacement method and the PayPal hold of an advance replacement.

The customer chooses the method on its own step. The standard way is one part submission
(``rma.required.services.part_submission``). Advance replacement is a PayPal order with
``intent=AUTHORIZE``: the customer approves it on PayPal and comes back, and the portal
authorizes it (the hold). These calls run in the request, because the customer is waiting
for PayPal's page; each carries a PayPal-Request-Id made from the hold, so a repeated
request (a double click on the way back from PayPal) gets PayPal's first answer and never
places a second hold. The PayPal calls happen outside the row lock; what they return is
written under it, after checking the hold is still where it was.

Releasing and capturing a hold run in Celery tasks (``payments.tasks``), queued by the
lifecycle's steps (``rma.required.advance``) and by the watch on holds near PayPal's
29-day limit (``hold_watch``).
"""

from payments.holds.answers import (
    HOLD_FLAG_AFTER,
    PASSING_ISSUES,
    PAYPAL_ISSUE_WORDS,
    SETTLING_RESUME_AFTER,
    authorization_problem,
    order_problem,
    paypal_words,
    worth_asking_again,
)
from payments.holds.placing import (
    hold_approval_cancel,
    hold_authorize,
    hold_not_placed,
    hold_record,
    hold_request,
    method_choose_standard,
)
from payments.holds.settling import (
    hold_close_if_settled,
    hold_settle_retry,
    hold_settle_start,
    hold_settle_unanswered,
    hold_settled,
    hold_watch,
    logger,
)

__all__ = [
    "HOLD_FLAG_AFTER",
    "PASSING_ISSUES",
    "PAYPAL_ISSUE_WORDS",
    "SETTLING_RESUME_AFTER",
    "authorization_problem",
    "hold_approval_cancel",
    "hold_authorize",
    "hold_close_if_settled",
    "hold_not_placed",
    "hold_record",
    "hold_request",
    "hold_settle_retry",
    "hold_settle_start",
    "hold_settle_unanswered",
    "hold_settled",
    "hold_watch",
    "logger",
    "method_choose_standard",
    "order_problem",
    "paypal_words",
    "worth_asking_again",
]
