"""
"Contact support": a message to the warranty team from anyone, stored and emailed.

A signed-in customer writes from their own address and may pick one of their cases; a
signed-out visitor gives an email address. Both are held to the sign-in pages' limits: a
number of requests per client IP per hour, and a cooldown per email address, kept in the
shared cache (``accounts.limits``). Nothing is ever emailed to the address a visitor typed,
so the form cannot be used to send mail to a stranger.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.limits import ClientInfo
from rma.cases.models import Case
from rma.support.models import SupportRequest
from rma_portal.cache import SharedCache
from rma_portal.tasks import queue_after_commit

# Shared by every process; the database cache stands in while Redis is away.
cache = SharedCache("support cooldown")


class SupportRateLimited(Exception):
    """The client or the address sent too many requests; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def _cooldown_key(email: str) -> str:
    return "rma:support-cooldown:" + hashlib.sha256(email.lower().encode()).hexdigest()


def support_request_create(
    *,
    email: str,
    subject: str,
    message: str,
    customer: Any | None = None,
    case: Case | None = None,
    client: ClientInfo | None = None,
) -> SupportRequest:
    """Store a support request and email it to the team after the commit.

    Raises ``SupportRateLimited`` when the address wrote less than ``SUPPORT_COOLDOWN``
    seconds ago. ``case`` must belong to ``customer`` (the form guarantees it).
    """
    if case is not None and (customer is None or case.customer_id != customer.pk):
        raise ValueError("a support request may name only one of its customer's cases")
    cooldown = settings.SUPPORT_COOLDOWN
    if cooldown > 0 and not cache.add(_cooldown_key(email), 1, timeout=cooldown):
        raise SupportRateLimited(cooldown)
    client = client or ClientInfo(ip_address=None, user_agent="")
    with transaction.atomic():
        request = SupportRequest.objects.create(
            customer=customer,
            email=email,
            subject=subject.strip(),
            message=message.strip(),
            case=case,
            ip=client.ip_address,
            user_agent=client.user_agent,
        )
        queue_after_commit("rma.tasks.send_support_request_email", support_request_id=request.pk)
    return request


def support_requests_mark_handled(*, requests: Iterable[SupportRequest], actor: Any) -> int:
    """An agent marks support requests answered; those already handled keep who did it first."""
    ids = [request.pk for request in requests]
    with transaction.atomic():
        open_requests = SupportRequest.objects.select_for_update().filter(pk__in=ids, handled_at__isnull=True)
        return open_requests.update(handled_at=timezone.now(), handled_by=actor)
