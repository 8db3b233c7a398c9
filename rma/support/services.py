"""
"Contact support": a message to the warranty team from anyone, stored and emailed.

A signed-in customer writes from their own address and may pick one of their cases; a
signed-out visitor gives an email address. Both are held to the sign-in pages' limits: a
number of requests per client IP per hour, and a cooldown per email address, kept in the
shared cache (``accounts.limits``). Up to ``SUPPORT_MAX_SCREENSHOTS`` screenshots go
through the image pipeline and are stored privately with the request.

The sender gets an acknowledgement with the request's reference number. To an address a
visitor typed it carries nothing the visitor wrote (no subject, no message), so the form
cannot be used to send a stranger someone else's words; the limits above bound how often.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.limits import ClientInfo
from rma.cases.models import Actor, Case
from rma.required.models import StoredPicture
from rma.support.models import SupportRequest, SupportScreenshot
from rma_portal import images
from rma_portal.cache import SharedCache
from rma_portal.tasks import queue_after_commit

FOLDER = "support"

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
    screenshots: Sequence[images.CleanImage] = (),
    kept: Sequence[SupportScreenshot] = (),
    language: str = "",
) -> SupportRequest:
    """Store a support request with its screenshots; after the commit, email it to the team
    and acknowledge it to the sender.

    ``screenshots`` are new, clean images; ``kept`` are screenshots kept from a refused
    form (``support_screenshots_hold``), attached as they are. Raises ``SupportRateLimited``
    when the address wrote less than ``SUPPORT_COOLDOWN`` seconds ago, before anything is
    stored. ``case`` must belong to ``customer`` (the form guarantees it).
    """
    if case is not None and (customer is None or case.customer_id != customer.pk):
        raise ValueError("a support request may name only one of its customer's cases")
    if len(screenshots) + len(kept) > settings.SUPPORT_MAX_SCREENSHOTS:
        raise ValueError("too many screenshots for one support request")
    cooldown = settings.SUPPORT_COOLDOWN
    if cooldown > 0 and not cache.add(_cooldown_key(email), 1, timeout=cooldown):
        raise SupportRateLimited(cooldown)
    client = client or ClientInfo(ip_address=None, user_agent="")
    with images.storing(screenshots, folder=FOLDER) as stored, transaction.atomic():
        request = SupportRequest.objects.create(
            customer=customer,
            email=email,
            subject=subject.strip(),
            message=message.strip(),
            case=case,
            ip=client.ip_address,
            user_agent=client.user_agent,
            language=language,
        )
        position = 0
        for position, screenshot in enumerate(kept, start=1):
            # Only a screenshot still waiting for its form is taken: never one already sent.
            SupportScreenshot.objects.filter(pk=screenshot.pk, support_request__isnull=True).update(
                support_request=request, held_key="", position=position
            )
        SupportScreenshot.objects.bulk_create(
            SupportScreenshot(
                support_request=request, position=position + index, **StoredPicture.fields_of(image)
            )
            for index, image in enumerate(stored, start=1)
        )
        queue_after_commit("rma.tasks.send_support_request_email", support_request_id=request.pk)
        queue_after_commit("rma.tasks.send_support_acknowledgement", support_request_id=request.pk)
    return request


def support_screenshots_hold(
    *, screenshots: Sequence[images.CleanImage], held_key: str = "", client_ip: str | None = None
) -> tuple[str, list[SupportScreenshot], bool]:
    """Keep the clean screenshots of a refused form, beside any kept under ``held_key``.

    A refused form costs its sender nothing, so what it may leave stored is bounded: kept
    screenshots expire after ``SUPPORT_HELD_SCREENSHOT_MINUTES``, a picture already kept
    for the form is not stored again, and none is stored past ``SUPPORT_HELD_BYTES_PER_CLIENT``
    held for the client's address or ``SUPPORT_HELD_BYTES_TOTAL`` held in all.

    Returns the key the form carries to its next submission (a new random one if none was
    given), every screenshot now kept under it, and whether each new one could be kept.
    """
    support_screenshots_expire()
    held_key = held_key or secrets.token_urlsafe(32)
    kept = support_screenshots_held(held_key=held_key)
    known = {shot.digest for shot in kept if shot.digest}
    held_for = _client_hash(client_ip)
    client_bytes = _held_bytes(held_for=held_for)
    total_bytes = _held_bytes()
    wanted: list[tuple[images.CleanImage, str]] = []
    all_kept = True
    for image in screenshots:
        digest = hashlib.sha256(image.content).hexdigest()
        if digest in known:
            continue  # the same picture chosen again: the kept one stands for it
        size = len(image.content) + len(image.thumbnail)
        if (
            client_bytes + size > settings.SUPPORT_HELD_BYTES_PER_CLIENT
            or total_bytes + size > settings.SUPPORT_HELD_BYTES_TOTAL
        ):
            all_kept = False
            continue
        client_bytes += size
        total_bytes += size
        known.add(digest)
        wanted.append((image, digest))
    with images.storing([image for image, _digest in wanted], folder=FOLDER) as stored, transaction.atomic():
        SupportScreenshot.objects.bulk_create(
            SupportScreenshot(
                held_key=held_key,
                held_for=held_for,
                digest=digest,
                position=len(kept) + index,
                **StoredPicture.fields_of(image),
            )
            for index, (image, (_clean, digest)) in enumerate(zip(stored, wanted, strict=True), start=1)
        )
    return held_key, support_screenshots_held(held_key=held_key), all_kept


def _client_hash(client_ip: str | None) -> str:
    return hashlib.sha256(f"support-held:{client_ip or ''}".encode()).hexdigest()


def _held_bytes(*, held_for: str = "") -> int:
    """The bytes of the screenshots kept for refused forms, for one client or in all."""
    held = SupportScreenshot.objects.filter(support_request__isnull=True).exclude(held_key="")
    if held_for:
        held = held.filter(held_for=held_for)
    return held.aggregate(total=Sum("size"))["total"] or 0


def support_screenshots_held(*, held_key: str) -> list[SupportScreenshot]:
    """The screenshots kept under ``held_key`` that may still be sent, oldest first."""
    if not held_key:
        return []
    return list(
        SupportScreenshot.objects.filter(
            held_key=held_key, support_request__isnull=True, uploaded_at__gte=_held_cutoff()
        ).order_by("position", "id")
    )


def support_screenshots_drop(*, held_key: str, screenshot_ids: Iterable[int]) -> int:
    """The sender took kept screenshots out of their form; returns how many went."""
    ids = list(screenshot_ids)
    if not held_key or not ids:
        return 0
    return _forget(
        list(SupportScreenshot.objects.filter(pk__in=ids, held_key=held_key, support_request__isnull=True))
    )


def support_screenshots_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete kept screenshots no form came back for within ``SUPPORT_HELD_SCREENSHOT_MINUTES``."""
    stale = SupportScreenshot.objects.filter(support_request__isnull=True, uploaded_at__lt=_held_cutoff(now))
    return _forget(list(stale[:1000]))


def _held_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(minutes=settings.SUPPORT_HELD_SCREENSHOT_MINUTES)


def _forget(screenshots: list[SupportScreenshot]) -> int:
    if not screenshots:
        return 0
    SupportScreenshot.objects.filter(pk__in=[shot.pk for shot in screenshots]).delete()
    names = [name for shot in screenshots for name in (shot.image.name, shot.thumbnail.name)]
    transaction.on_commit(lambda: images.delete_names(names))
    return len(screenshots)


def support_requests_mark_handled(*, requests: Iterable[SupportRequest], actor: Actor) -> int:
    """An agent marks support requests answered; those already handled keep who did it first."""
    ids = [request.pk for request in requests]
    with transaction.atomic():
        open_requests = SupportRequest.objects.select_for_update().filter(pk__in=ids, handled_at__isnull=True)
        return open_requests.update(handled_at=timezone.now(), handled_by=actor)
