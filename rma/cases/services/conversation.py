"""The case's conversation: a message from the customer or the team."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from rma.cases.models import Action, Case, CaseMessage, Role
from rma.cases.workflow import (
    NO_META,
    CaseActionError,
    CasePermissionError,
    CaseStatusError,
    RequestMeta,
    lock_case,
    role_of,
    write_step_event,
)
from rma_portal.tasks import queue_after_commit


def case_message_post(
    *,
    case: Case,
    author: Any,
    body: str,
    meta: RequestMeta | None = None,
    by_email: bool = False,
    attachments: list[dict[str, Any]] | None = None,
) -> CaseMessage:
    """Add a message to the case's conversation and tell the other side by email.

    A customer's message puts the case in the team's queue until the team answers; one that
    came ``by_email`` (a reply to the portal's email) may carry ``attachments`` alone.
    """
    body = (body or "").strip()
    if not body and not attachments:
        raise CaseActionError(_("The message is empty."))
    role = role_of(author)
    with transaction.atomic():
        locked = lock_case(case)
        if locked.is_closed:
            raise CaseStatusError(
                _("This RMA solution is closed, so it takes no more messages. Please use the contact page.")
            )
        if role == Role.CUSTOMER:
            if author.pk != locked.customer_id or not locked.is_visible_to_customer:
                raise CasePermissionError(_("You cannot write on this RMA solution."))
            sender = CaseMessage.Sender.CUSTOMER
        elif role == Role.SYSTEM or not author.has_perm("rma.add_casemessage"):
            raise CasePermissionError(_("You do not have the permission to write to customers."))
        else:
            sender = CaseMessage.Sender.TEAM
        message = CaseMessage.objects.create(
            case=locked,
            author=author,
            sender=sender,
            body=body,
            by_email=by_email,
            attachments=attachments or [],
        )
        waiting_since = (
            locked.customer_wrote_at or message.created_at if sender == CaseMessage.Sender.CUSTOMER else None
        )
        if waiting_since != locked.customer_wrote_at:
            Case.objects.filter(pk=locked.pk).update(customer_wrote_at=waiting_since)
            locked.customer_wrote_at = waiting_since
        write_step_event(
            case=locked,
            action=Action.MESSAGE,
            actor=author,
            role=role,
            data={"message_id": message.pk, "by_email": True} if by_email else {"message_id": message.pk},
            meta=meta or NO_META,
        )
        queue_after_commit("rma.tasks.send_case_message_email", message_id=message.pk)
    return message
