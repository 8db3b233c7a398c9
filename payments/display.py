"""
What PayPal said, in the reader's words: the answers kept on a payment
(``paypal.PayPalError.answer``: a status, PayPal's names for the reason, the call) and the
result of a Transaction Search lookup. Words are made when someone reads them, so each
reader gets their own language; PayPal's own codes follow in brackets, for PayPal's support.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from payments import paypal
from payments.models import InvoiceState, LookupState, SupplementaryPayment
from rma_portal.formats import format_money


def _call_words(call: str) -> str:
    return {
        "transaction_search": _("looking the transaction up"),
        "invoice_create": _("creating the invoice"),
        "invoice_send": _("sending the invoice"),
        "invoice_get": _("reading the invoice back"),
        "invoice_search": _("finding the invoice made by an earlier try"),
    }.get(call, _("the request"))


def _status_words(status: int | None) -> str:
    if status == 400:
        return _("PayPal found the request not valid")
    if status == 401:
        return _("PayPal did not accept the portal's PayPal credentials")
    if status == 403:
        return _("PayPal does not allow the portal's PayPal app to do this")
    if status == 404:
        return _("PayPal does not know what was asked for")
    if status == 409:
        return _("PayPal reports a conflict with an earlier request")
    if status == 422:
        return _("PayPal could not do what was asked")
    if status == 429:
        return _("PayPal asked the portal to slow down (too many requests)")
    if status is not None and status >= 500:
        return _("PayPal had a problem on its side")
    return _("PayPal refused the request")


def _issue_words(issue: str) -> str:
    return {
        "DUPLICATE_INVOICE_NUMBER": _("an invoice with this number exists already"),
        "INVALID_RESOURCE_ID": _("no such invoice or transaction"),
        "RESOURCE_NOT_FOUND": _("no such invoice or transaction"),
        "PERMISSION_DENIED": _("the app lacks the permission"),
        "NOT_AUTHORIZED": _("the app lacks the permission"),
        "INVALID_REQUEST": _("the request is not valid"),
        "USER_NOT_FOUND": _("the payer's PayPal account was not found"),
        "CURRENCY_NOT_SUPPORTED": _("the currency is not accepted"),
    }.get(issue, "")


def _unexpected_words(answer: dict) -> str:
    expected, got = answer.get("expected", ""), answer.get("got", "")
    problem = answer.get("problem", "")
    if problem == "amount":
        return _("PayPal answered with an amount of %(got)s instead of %(expected)s") % {
            "got": got or "—",
            "expected": expected,
        }
    if problem == "currency":
        return _("PayPal answered with the currency %(got)s instead of %(expected)s") % {
            "got": got or "—",
            "expected": expected,
        }
    if problem == "status":
        return _("PayPal reports the invoice as “%(got)s”, not as sent") % {"got": got or "—"}
    if problem == "id":
        return _("PayPal answered about something other than what was asked")
    if problem == "link":
        return _("PayPal gave no payer link on its own site")
    return _("PayPal's answer could not be read")


def paypal_answer_words(answer: dict | None, fallback: str = "") -> str:
    """One sentence for a kept PayPal answer: what happened, while doing what, and PayPal's
    own codes in brackets. ``fallback`` (a stored message) is used for rows without one."""
    if not answer:
        return fallback
    kind = answer.get("kind", "")
    if kind == "not_configured":
        return _("PayPal is not connected (no PayPal credentials are set).")
    if kind == "timeout":
        said = _("PayPal did not answer in time")
    elif kind == "unexpected":
        said = _unexpected_words(answer)
    elif kind == "unavailable" and answer.get("status") is None:
        said = _("PayPal could not be reached")
    else:
        said = _status_words(answer.get("status"))
        issue = _issue_words(answer.get("issue", ""))
        if issue:
            said = _("%(said)s: %(issue)s") % {"said": said, "issue": issue}
    codes = " ".join(
        str(part) for part in (answer.get("status"), answer.get("name"), answer.get("issue")) if part
    )
    if answer.get("debug_id"):
        codes = (codes + ", " if codes else "") + _("debug id %(id)s") % {"id": answer["debug_id"]}
    sentence = _("%(said)s, while %(call)s.") % {"said": said, "call": _call_words(answer.get("call", ""))}
    return f"{sentence} ({codes})" if codes else sentence


def _transaction_status_words(status: str) -> str:
    return {
        paypal.TransactionStatus.COMPLETED: pgettext("PayPal transaction status", "completed"),
        paypal.TransactionStatus.PENDING: pgettext("PayPal transaction status", "pending"),
        paypal.TransactionStatus.DENIED: pgettext("PayPal transaction status", "denied"),
        paypal.TransactionStatus.REVERSED: pgettext("PayPal transaction status", "reversed"),
    }.get(status) or _("in a state PayPal calls “%(status)s”") % {"status": status or "—"}


def lookup_words(payment: SupplementaryPayment) -> str:
    """What the PayPal lookup of the payment's transaction number found, in one sentence."""
    state = payment.lookup_state
    if state == LookupState.NOT_CHECKED:
        return _("Not looked up on PayPal yet.")
    if state == LookupState.QUEUED:
        return _("Waiting for PayPal's answer.")
    if state == LookupState.SKIPPED:
        if paypal.is_configured():
            return _(
                "Not looked up: PayPal was not connected when the proof came. It is now: look it up again."
            )
        return _("Not looked up: PayPal is not connected. Check the payment on PayPal's site by hand.")
    when = "—"
    if payment.looked_up_at:
        when = date_format(timezone.localtime(payment.looked_up_at), "DATETIME_FORMAT")
    if state == LookupState.NOT_FOUND:
        return _(
            "PayPal has no payment with this transaction number on the receiving account "
            "(looked up %(when)s)."
        ) % {"when": when}
    if state in (LookupState.MATCHED, LookupState.MISMATCH):
        found = _("PayPal has this payment: %(status)s, %(amount)s, from %(payer)s (looked up %(when)s).") % {
            "status": _transaction_status_words(payment.lookup_status),
            "amount": format_money(payment.lookup_amount, payment.lookup_currency)
            if payment.lookup_amount is not None
            else _("no amount given"),
            "payer": payment.lookup_payer_email or _("a payer PayPal did not name"),
            "when": when,
        }
        if state == LookupState.MATCHED:
            return found
        return f"{found} " + _("Due: %(due)s.") % {"due": format_money(payment.amount, payment.currency)}
    answer = paypal_answer_words(payment.lookup_answer, payment.lookup_error)
    if state == LookupState.UNAVAILABLE:
        return _(
            "PayPal gave no answer, even after retrying: %(answer)s Look it up again or check by hand."
        ) % {"answer": answer or "—"}
    return _("No result: %(answer)s Look it up again or check by hand.") % {"answer": answer or "—"}


def lookup_can_be_repeated(payment: SupplementaryPayment) -> bool:
    """Whether asking PayPal again may tell the team something new."""
    return bool(payment.transaction_number)


def invoice_words(payment: SupplementaryPayment) -> str:
    """Where the PayPal invoice stands, for the team; PayPal's answer when it was not sent."""
    if payment.invoice_state == InvoiceState.FAILED:
        return _("The invoice was not sent: %(answer)s") % {
            "answer": paypal_answer_words(payment.invoice_answer, payment.invoice_error) or "—"
        }
    return str(payment.get_invoice_state_display())
