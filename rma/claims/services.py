"""
Sending a warranty claim: the policy's verdict before it is sent, the checks that refuse it
(the same S/N or UID on an open case, too many claims in a day), and the one write that makes
the case in ``requested`` with its claim and photos.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rma.cases.editing import case_open_claim
from rma.cases.models import OPEN_STATUSES, Case, CaseItem, Product
from rma.cases.warranty import Channel, Verdict
from rma.cases.workflow import RequestMeta
from rma.claims.models import Claim, ClaimPhoto
from rma.required.models import StoredPicture
from rma_portal import images

if TYPE_CHECKING:
    from accounts.models import User

FOLDER = "claims"
CHANNEL_OF = {
    Claim.PurchaseChannel.OFFICIAL_STORE: Channel.OFFICIAL_STORE,
    Claim.PurchaseChannel.OTHER: Channel.RESELLER,
}


@dataclass(frozen=True)
class ClaimedItem:
    """The one product (or whole kit) a claim is about, as the customer gave it."""

    product: Product | None
    product_name: str
    serial: str
    kit_scope: str
    purchase_date: datetime.date
    purchase_channel: str

    def as_case_item(self, case: Case | None = None) -> CaseItem:
        """The item the case gets: in its S/N field, as the warranty policy looks registrations up by it."""
        return CaseItem(
            case=case,
            product=self.product,
            product_model=self.product.model_name if self.product else self.product_name,
            serial_number=self.serial,
            kit_scope=self.kit_scope,
            purchase_date=self.purchase_date,
            purchase_channel=CHANNEL_OF[self.purchase_channel],
        )


class ClaimRefused(Exception):
    """A claim that cannot be sent; ``case`` is the open case it repeats, if that is why."""

    def __init__(self, reason: str, *, case: Case | None = None):
        super().__init__(reason)
        self.reason = reason
        self.case = case


def claim_verdict(item: ClaimedItem) -> Verdict:
    """The warranty policy's verdict on the item for a claim sent today (``rma.cases.warranty``):
    a registration of its S/N counts."""
    return item.as_case_item().warranty


def open_case_with_serial(*, customer: User, serial: str) -> Case | None:
    """The customer's open case with an item of this S/N or UID, if any."""
    serial = serial.strip()
    if not serial:
        return None
    return (
        Case.objects.filter(customer=customer, status__in=OPEN_STATUSES)
        .filter(Q(items__serial_number__iexact=serial) | Q(items__uid__iexact=serial))
        .order_by("-created_at")
        .first()
    )


def claims_sent_today(*, customer: User, now: datetime.datetime | None = None) -> int:
    """How many claims the customer sent in the last 24 hours."""
    since = (now or timezone.now()) - datetime.timedelta(days=1)
    return Claim.objects.filter(case__customer=customer, created_at__gte=since).count()


def claim_check(*, customer: User, item: ClaimedItem) -> None:
    """Raise ``ClaimRefused`` when the claim may not be sent: the same S/N or UID on one of the
    customer's open cases, or ``RMA_CLAIMS_PER_CUSTOMER_PER_DAY`` claims sent already."""
    repeated = open_case_with_serial(customer=customer, serial=item.serial)
    if repeated is not None:
        raise ClaimRefused("duplicate", case=repeated)
    if claims_sent_today(customer=customer) >= settings.RMA_CLAIMS_PER_CUSTOMER_PER_DAY:
        raise ClaimRefused("too_many")


def claim_send(
    *,
    customer: User,
    item: ClaimedItem,
    reason: str,
    problem: str,
    order_number: str = "",
    photos: Sequence[images.CleanImage] = (),
    kept: Sequence[ClaimPhoto] = (),
    meta: RequestMeta | None = None,
) -> Case:
    """Make the case of a warranty claim, in ``requested``, with its item, the claim and its
    photos (new clean ones, and ``kept`` ones from a refused form); the acknowledgement email
    leaves after the commit. Raises ``ClaimRefused`` before anything is stored."""
    if len(photos) + len(kept) > settings.RMA_CLAIM_MAX_PHOTOS:
        raise ValueError("too many photos for one claim")
    with images.storing(photos, folder=FOLDER) as stored, transaction.atomic():
        # One customer's claims are sent one at a time, so the checks hold for the second one.
        get_user_model().objects.select_for_update().filter(pk=customer.pk).first()
        claim_check(customer=customer, item=item)
        verdict = claim_verdict(item)
        line = item.as_case_item()
        fields = {
            name: getattr(line, name)
            for name in (
                "product",
                "product_model",
                "serial_number",
                "kit_scope",
                "purchase_date",
                "purchase_channel",
            )
        }
        case = case_open_claim(case=Case(), customer=customer, item=fields, meta=meta)
        claim = Claim.objects.create(
            case=case,
            reason=reason,
            problem=problem.strip(),
            order_number=order_number.strip(),
            purchase_channel=item.purchase_channel,
            in_warranty=verdict.in_warranty,
            warranty_ends=verdict.ends_on,
            refund_possible=verdict.refund_possible,
        )
        position = 0
        for position, photo in enumerate(kept, start=1):
            # Only a photo still waiting for its form is taken: never one already sent.
            ClaimPhoto.objects.filter(pk=photo.pk, customer=customer, claim__isnull=True).update(
                claim=claim, position=position
            )
        ClaimPhoto.objects.bulk_create(
            ClaimPhoto(
                claim=claim, customer=customer, position=position + index, **StoredPicture.fields_of(image)
            )
            for index, image in enumerate(stored, start=1)
        )
    return case


def claim_photos_kept(*, customer: User, ids: Sequence[str] = ()) -> list[ClaimPhoto]:
    """The customer's photos kept from a refused form, limited to ``ids`` when given."""
    kept = ClaimPhoto.objects.filter(customer=customer, claim__isnull=True).order_by("id")
    wanted = [int(value) for value in ids if str(value).isdigit()]
    return list(kept.filter(pk__in=wanted))


def claim_photos_keep(*, customer: User, photos: Sequence[images.CleanImage]) -> list[ClaimPhoto]:
    """Store the clean photos of a refused form for the customer, for the form to send next."""
    stored = images.store_images(photos, folder=FOLDER)
    try:
        return [
            ClaimPhoto.objects.create(customer=customer, **StoredPicture.fields_of(image)) for image in stored
        ]
    except BaseException:
        images.delete_stored(stored)
        raise


def claim_photos_drop(*, customer: User, keep_ids: Sequence[int]) -> int:
    """Forget the customer's kept photos the form no longer carries, and any past
    ``HELD_UPLOAD_HOURS``; returns how many."""
    cutoff = timezone.now() - datetime.timedelta(hours=settings.HELD_UPLOAD_HOURS)
    gone = list(
        ClaimPhoto.objects.filter(claim__isnull=True)
        .filter(Q(customer=customer) & ~Q(pk__in=keep_ids) | Q(uploaded_at__lt=cutoff))
        .order_by("id")[:100]
    )
    if not gone:
        return 0
    ClaimPhoto.objects.filter(pk__in=[photo.pk for photo in gone]).delete()
    names = [name for photo in gone for name in (photo.image.name, photo.thumbnail.name)]
    transaction.on_commit(lambda: images.delete_names(names))
    return len(gone)
