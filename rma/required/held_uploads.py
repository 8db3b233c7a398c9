"""
Pictures kept from a refused submission, so the customer does not lose what they chose.

When a step's form comes back with an error, every file in it that passed the image checks
is stored here, tied to the customer, the case and the part; the page shows it as already
chosen, with a button to remove it. The next submission of the part uses it for any field
where no new file was picked, then deletes it. Unclaimed ones are deleted after a day by
the beat task ``rma.tasks.delete_stale_held_uploads``.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from rma.cases.models import Case
from rma.required.models import HeldUpload
from rma_portal import images

FOLDER = "held"


def held_uploads_for(*, customer: Any, case: Case, part: str) -> dict[str, list[HeldUpload]]:
    """The customer's kept pictures for one part of one case, by form field."""
    held: dict[str, list[HeldUpload]] = {}
    for upload in HeldUpload.objects.filter(customer=customer, case=case, part=part):
        held.setdefault(upload.field, []).append(upload)
    return held


def held_uploads_keep(
    *, customer: Any, case: Case, part: str, field: str, cleaned: Sequence[images.CleanImage]
) -> list[HeldUpload]:
    """Keep the clean pictures of one field, in place of any kept before for it."""
    stored = images.store_images(cleaned, folder=FOLDER)
    try:
        with transaction.atomic():
            old = list(HeldUpload.objects.filter(customer=customer, case=case, part=part, field=field))
            HeldUpload.objects.filter(pk__in=[upload.pk for upload in old]).delete()
            kept = [
                HeldUpload.objects.create(
                    customer=customer, case=case, part=part, field=field, **HeldUpload.fields_of(image)
                )
                for image in stored
            ]
    except BaseException:
        images.delete_stored(stored)
        raise
    _delete_files(old)
    return kept


def held_uploads_load(uploads: Sequence[HeldUpload]) -> list[images.CleanImage]:
    """The kept pictures as clean images again, ready for the part's service to store."""
    loaded = []
    for upload in uploads:
        with default_storage.open(upload.image.name, "rb") as handle:
            content = handle.read()
        with default_storage.open(upload.thumbnail.name, "rb") as handle:
            thumbnail = handle.read()
        extension = os.path.splitext(upload.image.name)[1].lstrip(".").lower()
        loaded.append(
            images.CleanImage(
                original_name=upload.original_name,
                format=extension.upper(),
                extension=extension,
                content_type=upload.content_type,
                width=upload.width,
                height=upload.height,
                content=content,
                thumbnail=thumbnail,
            )
        )
    return loaded


def held_upload_remove(*, customer: Any, case: Case, upload_id: int) -> bool:
    """The customer removes one kept picture; returns whether there was one to remove."""
    uploads = list(HeldUpload.objects.filter(pk=upload_id, customer=customer, case=case))
    return _forget(uploads) > 0


def held_uploads_release(*, customer: Any, case: Case, part: str) -> int:
    """Forget every kept picture of a part once its submission went through."""
    return _forget(list(HeldUpload.objects.filter(customer=customer, case=case, part=part)))


def held_uploads_expire(*, now: datetime.datetime | None = None) -> int:
    """Delete kept pictures nobody claimed within ``HELD_UPLOAD_HOURS``; returns how many."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.HELD_UPLOAD_HOURS)
    return _forget(list(HeldUpload.objects.filter(created_at__lt=cutoff)[:1000]))


def _forget(uploads: list[HeldUpload]) -> int:
    if not uploads:
        return 0
    HeldUpload.objects.filter(pk__in=[upload.pk for upload in uploads]).delete()
    transaction.on_commit(lambda: _delete_files(uploads))
    return len(uploads)


def _delete_files(uploads: Sequence[HeldUpload]) -> None:
    images.delete_names(name for upload in uploads for name in (upload.image.name, upload.thumbnail.name))
