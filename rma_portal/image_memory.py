"""
What decoding an upload costs in memory, and the limits that keep it within budget: the
memory an image's pixels will take (from its header alone), shrinking without a full-size
working copy, and one place per process for image work. Used by ``rma_portal.images``.
"""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from PIL import Image, ImageOps

# Decoding an image takes far more memory than its file: at most this many at once per
# process (each web process's threads share it).
IMAGE_WORK = threading.BoundedSemaphore(settings.UPLOAD_IMAGE_WORKERS)


@contextmanager
def image_work_slot(refusal: Callable[[], Exception]) -> Iterator[None]:
    """Hold one of the process's ``UPLOAD_IMAGE_WORKERS`` places for decoding, or raise
    ``refusal()`` after waiting ``UPLOAD_IMAGE_WAIT`` seconds."""
    if not IMAGE_WORK.acquire(timeout=settings.UPLOAD_IMAGE_WAIT):
        raise refusal()
    try:
        yield
    finally:
        IMAGE_WORK.release()


def smaller_and_upright(image: Image.Image, factor: int) -> Image.Image:
    """The image shrunk by a whole ``factor`` (box averaging, no full-size working copy;
    the full-size pixels are let go at once) and turned by its EXIF orientation."""
    if factor > 1:
        if image.mode in CONVERTED_TO_SHRINK:
            has_alpha = image.mode == "PA" or "transparency" in image.info
            converted = image.convert("RGBA" if has_alpha else "RGB")
            image.close()
            image = converted
        smaller = image.reduce(factor)
        image.close()
        image = smaller
    ImageOps.exif_transpose(image, in_place=True)
    return image


# Pillow keeps every pixel of a multi-band image in 4 bytes. WEBP's decoder holds its own
# frames and a copy as bytes while it builds the image, and its encoder works on more copies
# again: counted as five (measured by bench/upload_memory.py). Shrinking an image with alpha
# works on a premultiplied copy, and palette or 16-bit images are converted before they
# shrink: both hold a second full-size image of 4 bytes a pixel for a moment.
BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "LA": 2, "La": 2, "PA": 2, "I;16": 2}
DECODE_COPIES = {"WEBP": 5}
CONVERTED_TO_SHRINK = frozenset({"1", "P", "PA", "I;16", "I;16B", "I;16L", "I;16N"})
COPIED_TO_SHRINK = CONVERTED_TO_SHRINK | {"RGBA", "LA"}


def _bytes_per_pixel(image: Image.Image, factor: int) -> int:
    decoded = BYTES_PER_PIXEL.get(image.mode, 4) * DECODE_COPIES.get(image.format, 1)
    return decoded + (4 if factor > 1 and image.mode in COPIED_TO_SHRINK else 0)


def decoded_bytes(image: Image.Image, factor: int) -> int:
    """The most memory the image's pixels take while being decoded and shrunk, from the
    header alone (for a JPEG, at its reduced decoding scale)."""
    width, height = image.size
    return width * height * _bytes_per_pixel(image, factor)


def pixel_budget(image: Image.Image, factor: int) -> int:
    """The most pixels an image of this kind may have within ``UPLOAD_DECODE_BUDGET``."""
    return min(settings.UPLOAD_MAX_PIXELS, settings.UPLOAD_DECODE_BUDGET // _bytes_per_pixel(image, factor))
