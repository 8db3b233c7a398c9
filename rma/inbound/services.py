"""
The one path of a received mail: ``inbound_receive`` takes a normalised ``InboundMessage``
(from the IMAP fetcher today, from a provider's webhook later) and decides, once per
Message-ID, where it goes:

- automatic mail (auto-replies, delivery reports, the portal's own emails coming back) is
  recorded and goes nowhere: no message, no email;
- over a limit (size, attachments, a flood from one sender) it is refused, with its reason;
- a reply from the case's customer becomes their message on the case, "by email", through the
  same service as the portal's message form (``rma.cases.services.case_message_post``);
- anything else (another sender, a closed case, a token that does not verify, no case named)
  waits in the team's "mail to check" list, where an agent attaches it to a case or discards it.

Every outcome is an ``InboundMail`` row with its reason; its original is kept
``INBOUND_KEEP_DAYS`` days.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rma.cases.models import Case, CaseMessage
from rma.cases.replies import case_id_in_token, token_in_address, token_in_message_id
from rma.cases.services import case_message_post
from rma.cases.workflow import CaseActionError
from rma.inbound import attachments as stored_attachments
from rma.inbound.models import InboundMail
from rma.inbound.reading import InboundMessage, from_raw, new_words

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

Outcome = InboundMail.Outcome
Reason = InboundMail.Reason
BODY_LIMIT = CaseMessage._meta.get_field("body").max_length or 5000
AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}


class InboundError(Exception):
    """An agent's action on a received mail was refused; the message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _our_addresses() -> set[str]:
    return {
        address.lower()
        for address in (
            parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
            settings.INBOUND_REPLY_ADDRESS,
            settings.WARRANTY_TEAM_SENDER_ADDRESS,
        )
        if address
    }


def automatic_reason(message: InboundMessage) -> str | None:
    """Why ``message`` is automatic mail (a loop, a bounce, an auto-reply), or ``None``."""
    headers = message.headers
    domain = settings.EMAIL_MESSAGE_ID_DOMAIN.lower()
    if message.message_id.lower().startswith("<rma-outbox-") and message.message_id.lower().endswith(
        f"@{domain}>"
    ):
        return Reason.LOOP
    if message.sender in _our_addresses():
        return Reason.LOOP
    if (
        message.is_delivery_report
        or message.sender.partition("@")[0] in BOUNCE_SENDERS
        or "x-failed-recipients" in headers
        or headers.get("return-path", "").strip() == "<>"
    ):
        return Reason.BOUNCE
    auto_submitted = headers.get("auto-submitted", "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return Reason.AUTO_REPLY
    if "x-autoreply" in headers or "x-autorespond" in headers:
        return Reason.AUTO_REPLY
    if headers.get("precedence", "").strip().lower() in AUTOMATIC_PRECEDENCE:
        return Reason.AUTO_REPLY
    return None


def limit_reason(message: InboundMessage, *, now) -> str | None:
    """Which limit ``message`` goes over (size, attachments, a flood from its sender), if any."""
    if message.size > settings.INBOUND_MAX_BYTES:
        return Reason.TOO_LARGE
    if len(message.attachments) > settings.INBOUND_MAX_ATTACHMENTS:
        return Reason.TOO_MANY_ATTACHMENTS
    recent = InboundMail.objects.filter(sender=message.sender, received_at__gte=now - timedelta(hours=1))
    if message.sender and recent.count() >= settings.INBOUND_PER_SENDER_PER_HOUR:
        return Reason.FLOOD
    return None


def named_case(message: InboundMessage) -> tuple[Case | None, str | None]:
    """The case a reply names by its token (Reply-To first, then In-Reply-To and References),
    or why none: a token that does not verify, or no token at all."""
    tokens = [token for token in map(token_in_address, message.recipients) if token is not None]
    if not tokens:
        tokens = [token for token in map(token_in_message_id, message.in_reply_to) if token is not None]
    if not tokens:
        return None, Reason.NO_CASE
    case_ids = [case_id for case_id in map(case_id_in_token, tokens) if case_id is not None]
    if not case_ids:
        return None, Reason.BAD_TOKEN
    case = Case.objects.select_related("customer").filter(pk=case_ids[0]).first()
    return case, (None if case is not None else Reason.NO_CASE)


def _record(
    message: InboundMessage, *, outcome: str, reason: str, case: Case | None = None, body: str = ""
) -> tuple[InboundMail, bool]:
    """Write the mail's row, once per Message-ID: (the row, whether it is new). An existing row wins."""
    try:
        with transaction.atomic():
            mail = InboundMail.objects.create(
                message_id=message.message_id,
                sender=message.sender[:254],
                subject=message.subject,
                size=message.size,
                outcome=outcome,
                reason=reason,
                case=case,
                body=body,
                attachment_names=[attachment.name[:120] for attachment in message.attachments],
                original=message.raw or None,
            )
            return mail, True
    except IntegrityError:
        return InboundMail.objects.get(message_id=message.message_id), False


def _clip(body: str) -> str:
    return body if len(body) <= BODY_LIMIT else body[: BODY_LIMIT - 1] + "…"


def inbound_receive(message: InboundMessage) -> InboundMail:
    """Take one received mail in (once per Message-ID) and say where it went."""
    existing = InboundMail.objects.filter(message_id=message.message_id).first()
    if existing is not None:
        return existing
    now = timezone.now()
    reason = automatic_reason(message)
    if reason is not None:
        logger.info("Mail %s from %s ignored: %s.", message.message_id, message.sender, reason)
        return _record(message, outcome=Outcome.IGNORED, reason=reason)[0]
    reason = limit_reason(message, now=now)
    if reason is not None:
        logger.info("Mail %s from %s refused: %s.", message.message_id, message.sender, reason)
        return _record(message, outcome=Outcome.REFUSED, reason=reason)[0]
    body = _clip(new_words(message))
    case, reason = named_case(message)
    if case is not None and case.is_closed:
        reason = Reason.CASE_CLOSED
    elif case is not None and message.sender != case.customer.email.lower():
        reason = Reason.OTHER_SENDER
    elif case is not None and not body and not message.attachments:
        reason = Reason.EMPTY
    if reason is not None:
        return _record(message, outcome=Outcome.TO_CHECK, reason=reason, case=case, body=body)[0]
    try:
        return _post(message, case=case, author=case.customer, body=body, outcome=Outcome.TAKEN)
    except _AlreadyTaken as taken:
        return taken.mail
    except CaseActionError:
        # Closed or hidden from its customer between the reading and the lock.
        return _record(message, outcome=Outcome.TO_CHECK, reason=Reason.CASE_CLOSED, case=case, body=body)[0]


def _post(
    message: InboundMessage,
    *,
    case: Case,
    author: User,
    body: str,
    outcome: str,
    mail: InboundMail | None = None,
    agent: User | None = None,
) -> InboundMail:
    """The reply as the customer's message on ``case``, with its attachments, and its row
    (written here when ``mail`` is not given). A Message-ID already taken posts nothing."""
    with stored_attachments.storing(message.attachments) as entries, transaction.atomic():
        if mail is None:
            mail, new = _record(message, outcome=outcome, reason=Reason.REPLY, case=case, body=body)
            if not new:
                raise _AlreadyTaken(mail)
        posted = case_message_post(case=case, author=author, body=body, by_email=True, attachments=entries)
        mail.case, mail.case_message, mail.outcome, mail.body = case, posted, outcome, body
        if agent is not None:
            mail.handled_by, mail.handled_at = agent, timezone.now()
        mail.save(update_fields=["case", "case_message", "outcome", "body", "handled_by", "handled_at"])
    return mail


class _AlreadyTaken(Exception):
    """Another fetch recorded the same Message-ID first: its row stands, the stored files go."""

    def __init__(self, mail: InboundMail):
        super().__init__(mail.message_id)
        self.mail = mail


def _lock_unhandled(mail: InboundMail) -> InboundMail:
    locked = InboundMail.objects.select_for_update().get(pk=mail.pk)
    if locked.outcome in (Outcome.TAKEN, Outcome.ATTACHED, Outcome.DISCARDED):
        raise InboundError(
            _("This mail was already dealt with: %(outcome)s.") % {"outcome": locked.get_outcome_display()}
        )
    return locked


def _check_agent(agent: User | None) -> None:
    if not (agent.is_staff and agent.has_perm("rma.change_inboundmail")):
        raise InboundError(_("You do not have the permission to deal with received mail."))


def inbound_attach(*, mail: InboundMail, case_number: str, agent: User) -> InboundMail:
    """An agent puts a received mail on a case, as its customer's message "by email"."""
    _check_agent(agent)
    case = Case.objects.select_related("customer").filter(number=(case_number or "").strip().upper()).first()
    if case is None:
        raise InboundError(_("There is no case %(number)s.") % {"number": case_number})
    message = from_raw(bytes(mail.original)) if mail.original is not None else None
    body = _clip(new_words(message)) if message is not None else mail.body
    try:
        with transaction.atomic():
            locked = _lock_unhandled(mail)
            if message is None:
                message = InboundMessage(
                    message_id=locked.message_id,
                    sender=locked.sender,
                    recipients=(),
                    subject="",
                    text="",
                    html="",
                )
            if not body and not message.attachments:
                raise InboundError(_("This mail has no words and no attachments to put on a case."))
            return _post(
                message,
                case=case,
                author=case.customer,
                body=body,
                outcome=Outcome.ATTACHED,
                mail=locked,
                agent=agent,
            )
    except CaseActionError as error:
        raise InboundError(error.message) from error


def inbound_discard(*, mail: InboundMail, agent: User) -> InboundMail:
    """An agent decides a received mail goes on no case."""
    _check_agent(agent)
    with transaction.atomic():
        locked = _lock_unhandled(mail)
        locked.outcome, locked.handled_by, locked.handled_at = Outcome.DISCARDED, agent, timezone.now()
        locked.save(update_fields=["outcome", "handled_by", "handled_at"])
    return locked


def inbound_purge_originals(*, now=None) -> int:
    """Empty the originals older than ``INBOUND_KEEP_DAYS``; how many were emptied."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.INBOUND_KEEP_DAYS)
    return InboundMail.objects.filter(received_at__lt=cutoff, original__isnull=False).update(original=None)
