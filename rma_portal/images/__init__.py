"""
The one path every uploaded image takes: checked, cleaned, then stored.

A file's type is decided from its content (JPEG, PNG or WEBP), never from its name or the
browser's word. Size is checked before anything is decoded, the pixel count before the
pixels are decoded (decompression bombs), animated images are refused, the orientation
is applied and the image is re-encoded from its pixels alone, so no EXIF (GPS), ICC,
text chunk or trailing data survives. Stored copies get random names through Django's
storage API, with a thumbnail beside each.

A batch is checked whole before anything is stored, and a batch whose storing fails
midway removes what it had already stored: a refused submission leaves no file behind.
"""

from rma_portal.images.cleaning import (
    FORMATS,
    JPEG_QUALITY,
    MARKUP,
    NAME_LIMIT,
    OPENERS,
    THUMBNAIL_SIZE,
    WEBP_QUALITY,
    CleanImage,
    ImageRejected,
    ImagesRejected,
    StoredImage,
    clean_each,
    clean_image,
    clean_images,
    display_name,
    megabytes,
)
from rma_portal.images.storage import delete_names, delete_stored, logger, store_images, storing

__all__ = [
    "CleanImage",
    "FORMATS",
    "ImageRejected",
    "ImagesRejected",
    "JPEG_QUALITY",
    "MARKUP",
    "NAME_LIMIT",
    "OPENERS",
    "StoredImage",
    "THUMBNAIL_SIZE",
    "WEBP_QUALITY",
    "clean_each",
    "clean_image",
    "clean_images",
    "delete_names",
    "delete_stored",
    "display_name",
    "logger",
    "megabytes",
    "store_images",
    "storing",
]
