"""Storing cleaned images under random names, a thumbnail beside each, and removing them again."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from rma_portal.images.cleaning import CleanImage, StoredImage

logger = logging.getLogger("rma_portal.images")


def _random_name(extension: str, *, folder: str) -> str:
    return f"{folder}/{timezone.now():%Y}/{uuid.uuid4().hex}.{extension}"


def store_images(images: Sequence[CleanImage], *, folder: str = "uploads") -> list[StoredImage]:
    """Store clean images and their thumbnails; on any failure, remove what was stored."""
    saved: list[str] = []
    stored: list[StoredImage] = []
    try:
        for image in images:
            name = default_storage.save(
                _random_name(image.extension, folder=folder), ContentFile(image.content)
            )
            saved.append(name)
            stem, extension = os.path.splitext(name)
            thumbnail_name = default_storage.save(f"{stem}-thumb{extension}", ContentFile(image.thumbnail))
            saved.append(thumbnail_name)
            stored.append(
                StoredImage(
                    name=name,
                    thumbnail_name=thumbnail_name,
                    original_name=image.original_name,
                    content_type=image.content_type,
                    width=image.width,
                    height=image.height,
                    size=len(image.content),
                )
            )
    except BaseException:
        delete_names(saved)
        raise
    return stored


def delete_names(names: Iterable[str]) -> None:
    """Remove stored files, logging (never raising) a name that cannot be removed."""
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("Could not remove the stored upload %s", name)


def delete_stored(images: Iterable[StoredImage]) -> None:
    """Remove stored images and their thumbnails."""
    delete_names(name for image in images for name in (image.name, image.thumbnail_name))


@contextmanager
def storing(images: Sequence[CleanImage], *, folder: str = "uploads") -> Iterator[list[StoredImage]]:
    """Store the images for the block; if the block fails, the stored files are removed.

    Put it outside ``transaction.atomic()`` so a rolled-back write leaves no file behind::

        with images.storing(cleaned) as stored, transaction.atomic():
            ...
    """
    stored = store_images(images, folder=folder)
    try:
        yield stored
    except BaseException:
        delete_stored(stored)
        raise
