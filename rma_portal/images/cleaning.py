"""Checking and cleaning an uploaded image: its type from its content, its size and pixel count
within bounds, re-encoded from its pixels alone."""

from __future__ import annotations

import io
import math
import os
import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, UnidentifiedImageError

from rma_portal import image_memory

# Pillow's plugin name -> (extension, content type). MPO is what Pillow calls a JPEG that
# carries a second picture (some phone cameras write them); only the first is kept.
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "MPO": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
# The Pillow plugins allowed to read an upload (MPO comes through the JPEG one).
OPENERS = ["JPEG", "PNG", "WEBP"]
THUMBNAIL_SIZE = (320, 320)
JPEG_QUALITY = 88
WEBP_QUALITY = 85
# Markup hidden in an image is how "image" uploads turn into stored cross-site scripting
# when some browser or proxy sniffs them as HTML; re-encoding drops it anyway, but a file
# carrying it is not a genuine photo or screenshot.
MARKUP = re.compile(rb"<\s*(?:!doctype|html|script|svg|iframe|body|head)\b", re.IGNORECASE)
NAME_LIMIT = 80


class ImageRejected(ValueError):
    """One file refused: its name and the reason, in words the customer understands."""

    def __init__(self, file_name: str, reason: str):
        self.file_name = file_name
        self.reason = reason
        super().__init__(f"{file_name} {reason}")

    @property
    def message(self) -> str:
        return str(self)


class ImagesRejected(ValueError):
    """A batch refused: every problem found, one sentence each."""

    def __init__(self, messages: Sequence[str]):
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


@dataclass(frozen=True)
class CleanImage:
    """An image that passed every check, re-encoded and ready to store."""

    original_name: str
    format: str
    extension: str
    content_type: str
    width: int
    height: int
    content: bytes
    thumbnail: bytes


@dataclass(frozen=True)
class StoredImage:
    """Where a clean image and its thumbnail were stored."""

    name: str
    thumbnail_name: str
    original_name: str
    content_type: str
    width: int
    height: int
    size: int


def display_name(upload: object) -> str:
    """The file's own name, without any folder, short enough to quote in a message."""
    raw = os.path.basename(str(getattr(upload, "name", "") or "")).strip()
    raw = "".join(ch for ch in raw if ch.isprintable())
    if not raw:
        return _("The file")
    if len(raw) > NAME_LIMIT:
        stem, ext = os.path.splitext(raw)
        raw = stem[: NAME_LIMIT - len(ext) - 1] + "…" + ext
    return raw


def megabytes(size: int) -> str:
    """A size as people read it on their phone: "12.4 MB", "10 MB"."""
    value = size / (1024 * 1024)
    text = f"{value:.1f}"
    return (text[:-2] if text.endswith(".0") else text) + " MB"


def _upload_size(upload: IO[bytes]) -> int:
    size = getattr(upload, "size", None)
    if isinstance(size, int):
        return size
    position = upload.tell()
    upload.seek(0, os.SEEK_END)
    size = upload.tell()
    upload.seek(position)
    return size


def _read_limited(upload: IO[bytes], limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes, whatever size the upload claimed."""
    if hasattr(upload, "open") and getattr(upload, "closed", False):
        upload.open("rb")
    upload.seek(0)
    if hasattr(upload, "chunks"):
        parts, total = [], 0
        for chunk in upload.chunks():
            parts.append(chunk)
            total += len(chunk)
            if total > limit:
                break
        return b"".join(parts)[: limit + 1]
    return upload.read(limit + 1)


def clean_image(upload: IO[bytes]) -> CleanImage:
    """Check one uploaded file and re-encode it; raises ``ImageRejected`` saying why not."""
    name = display_name(upload)
    limit = settings.UPLOAD_MAX_BYTES
    size = _upload_size(upload)
    if size == 0:
        raise ImageRejected(name, _("is empty."))
    if size > limit:
        raise ImageRejected(
            name,
            _("is %(size)s; the limit is %(limit)s.") % {"size": megabytes(size), "limit": megabytes(limit)},
        )
    raw = _read_limited(upload, limit)
    if len(raw) > limit:  # the declared size was wrong
        raise ImageRejected(name, _("is larger than %(limit)s.") % {"limit": megabytes(limit)})
    return _decode_and_encode(name, raw)


def _not_an_image(name: str) -> ImageRejected:
    return ImageRejected(name, _("is not a JPG, PNG or WEBP image."))


def _decode_and_encode(name: str, raw: bytes) -> CleanImage:
    if MARKUP.search(raw):
        raise ImageRejected(name, _("contains web page code, so it is not accepted as an image."))
    with image_memory.image_work_slot(lambda: _busy(name)):
        return _decode_within_budget(name, raw)


def _busy(name: str) -> ImageRejected:
    return ImageRejected(
        name, _("could not be checked just now because many photos are arriving. Please send it again.")
    )


def _decode_within_budget(name: str, raw: bytes) -> CleanImage:
    max_pixels = settings.UPLOAD_MAX_PIXELS
    max_side = settings.UPLOAD_MAX_SIDE
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice its limit; a warning is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(raw), formats=OPENERS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels(name, max_pixels) from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise _not_an_image(name) from None
        with image:
            if image.format not in FORMATS:
                raise _not_an_image(name)
            # Everything up to here read the file's header only; no pixel is decoded yet.
            width, height = image.size
            if width < 1 or height < 1:
                raise _not_an_image(name)
            if width * height > max_pixels:
                raise _too_many_pixels(name, max_pixels, width, height)
            if image.format != "MPO" and getattr(image, "is_animated", False):
                raise ImageRejected(name, _("is animated; please send a still image."))
            factor = math.ceil(max(width, height) / max_side)
            if image.format in ("JPEG", "MPO") and factor > 1:
                # libjpeg decodes at 1/2, 1/4 or 1/8 of the size: the full size is never held.
                scale = next((scale for scale in (2, 4, 8) if scale >= factor), 8)
                image.draft(image.mode, (math.ceil(width / scale), math.ceil(height / scale)))
                factor = math.ceil(max(image.size) / max_side)
            if image_memory.decoded_bytes(image, factor) > settings.UPLOAD_DECODE_BUDGET:
                raise _too_many_pixels(name, image_memory.pixel_budget(image, factor), width, height)
            source_format = image.format
            output_format = "JPEG" if source_format == "MPO" else source_format
            try:
                image.load()
                pixels = _pixels_only(image_memory.smaller_and_upright(image, factor), output_format)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _too_many_pixels(name, max_pixels) from None
            except (OSError, SyntaxError, ValueError, EOFError):
                raise ImageRejected(name, _("is damaged or incomplete; please take it again.")) from None
    extension, content_type = FORMATS[output_format]
    return CleanImage(
        original_name=name,
        format=output_format,
        extension=extension,
        content_type=content_type,
        width=pixels.width,
        height=pixels.height,
        content=_encode(pixels, output_format),
        thumbnail=_encode(_thumbnail(pixels), output_format),
    )


def _thumbnail(image: Image.Image) -> Image.Image:
    """A small copy for lists, made from the image without a full-size copy first."""
    ratio = min(1.0, THUMBNAIL_SIZE[0] / image.width, THUMBNAIL_SIZE[1] / image.height)
    size = (max(1, round(image.width * ratio)), max(1, round(image.height * ratio)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _too_many_pixels(name: str, max_pixels: int, width: int = 0, height: int = 0) -> ImageRejected:
    limit = f"{max_pixels / 1_000_000:.3g}"
    if width and height:
        return ImageRejected(
            name,
            _("is %(width)d × %(height)d pixels; the limit is %(limit)s megapixels.")
            % {"width": width, "height": height, "limit": limit},
        )
    return ImageRejected(
        name, _("has too many pixels; the limit is %(limit)s megapixels.") % {"limit": limit}
    )


def _pixels_only(image: Image.Image, output_format: str) -> Image.Image:
    """A new image holding the pixels and nothing else (no info, EXIF, ICC or palette text)."""
    has_alpha = image.mode in {"RGBA", "LA", "PA", "La", "RGBa"} or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if has_alpha and output_format != "JPEG" else "RGB"
    converted = image if image.mode == mode else image.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    clean.info = {}
    return clean


def _encode(image: Image.Image, output_format: str) -> bytes:
    buffer = io.BytesIO()
    if output_format == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, exif=b"", icc_profile=None)
    elif output_format == "PNG":
        image.save(buffer, "PNG", optimize=True)
    else:
        image.save(buffer, "WEBP", quality=WEBP_QUALITY, exif=b"", icc_profile="", xmp="")
    return buffer.getvalue()


def clean_images(uploads: Iterable[IO[bytes]], *, max_count: int | None = None) -> list[CleanImage]:
    """Check a whole batch before anything is stored; ``ImagesRejected`` lists every problem."""
    uploads = list(uploads)
    problems: list[str] = []
    if max_count is not None and len(uploads) > max_count:
        problems.append(
            ngettext(
                "You chose %(count)d images; at most %(max)d image can be sent.",
                "You chose %(count)d images; at most %(max)d images can be sent.",
                max_count,
            )
            % {"count": len(uploads), "max": max_count}
        )
        raise ImagesRejected(problems)
    cleaned, problems = clean_each(uploads)
    if problems:
        raise ImagesRejected(problems)
    return cleaned


def clean_each(uploads: Iterable[IO[bytes]]) -> tuple[list[CleanImage], list[str]]:
    """Each upload through ``clean_image``: the images that pass, and why each other one does
    not (a form keeps the good ones for the customer while it names the refused ones)."""
    cleaned: list[CleanImage] = []
    problems: list[str] = []
    for upload in uploads:
        try:
            cleaned.append(clean_image(upload))
        except ImageRejected as error:
            problems.append(error.message)
    return cleaned, problems
