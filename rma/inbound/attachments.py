"""
What came attached to a reply: pictures through the image pipeline (``rma_portal.images``),
shown with the message to the customer and the team; any other file stored as it came, under
a random name, listed by its name and opened by the team only.

A message's ``attachments`` holds one entry per file: ``{"kind": "image", "image", "thumbnail",
"name", "content_type", "width", "height", "size"}`` or ``{"kind": "file", "file", "name",
"content_type", "size"}``.
"""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from rma.inbound.reading import InboundAttachment
from rma_portal import images

FOLDER = "replies"
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}


def _named(attachment: InboundAttachment) -> io.BytesIO:
    upload = io.BytesIO(attachment.content)
    upload.name = os.path.basename(attachment.name)
    return upload


def _store_file(attachment: InboundAttachment) -> dict[str, Any]:
    name = default_storage.save(
        f"{FOLDER}/{timezone.now():%Y}/{uuid.uuid4().hex}.bin", ContentFile(attachment.content)
    )
    return {
        "kind": "file",
        "file": name,
        "name": os.path.basename(attachment.name)[:120],
        "content_type": attachment.content_type[:80],
        "size": len(attachment.content),
    }


def _stored_names(entries: Sequence[dict[str, Any]]) -> list[str]:
    return [entry[key] for entry in entries for key in ("image", "thumbnail", "file") if entry.get(key)]


@contextmanager
def storing(attachments: Sequence[InboundAttachment]) -> Iterator[list[dict[str, Any]]]:
    """Store the attachments for the block, as message entries; removed if the block fails.

    A picture the pipeline refuses (not really an image, too large, animated) is kept as a
    file for the team, as anything else that is not a picture.
    """
    entries: list[dict[str, Any]] = []
    try:
        for attachment in attachments:
            if attachment.content_type in IMAGE_TYPES:
                try:
                    cleaned = images.clean_image(_named(attachment))
                except images.ImageRejected:
                    entries.append(_store_file(attachment))
                    continue
                (stored,) = images.store_images([cleaned], folder=FOLDER)
                entries.append(
                    {
                        "kind": "image",
                        "image": stored.name,
                        "thumbnail": stored.thumbnail_name,
                        "name": stored.original_name[:120],
                        "content_type": stored.content_type,
                        "width": stored.width,
                        "height": stored.height,
                        "size": stored.size,
                    }
                )
            else:
                entries.append(_store_file(attachment))
        yield entries
    except BaseException:
        images.delete_names(_stored_names(entries))
        raise


def pictures(entries: Sequence[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """The pictures of a message's attachments, with their positions (for their address)."""
    return [(index, entry) for index, entry in enumerate(entries) if entry.get("kind") == "image"]


def files(entries: Sequence[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """The other files of a message's attachments, with their positions: the team's only."""
    return [(index, entry) for index, entry in enumerate(entries) if entry.get("kind") == "file"]
