"""
Serving uploaded pictures, which are private: to the case's customer and to staff only.

The caller has already decided that the viewer may see the file; this module says who
counts as staff for that, and answers with the file itself without letting a browser
sniff it into something else.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase


def staff_may_view(user) -> bool:
    """Staff see every upload once signed in with their second factor (when it is required)."""
    if not (user.is_authenticated and user.is_staff and user.is_active):
        return False
    return not settings.STAFF_TOTP_REQUIRED or (hasattr(user, "is_verified") and user.is_verified())


def stored_file_response(name: str, *, content_type: str, download_name: str) -> HttpResponseBase:
    """Serve a stored upload to someone already allowed to see it.

    On a local folder the file is streamed with its content type fixed, shown inline and
    never sniffed; on S3 the answer is a redirect to a signed link that soon expires.
    """
    if not _is_local_storage():
        return HttpResponseRedirect(default_storage.url(name))
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("The file is gone.") from None
    response = FileResponse(handle, content_type=content_type, as_attachment=False, filename=download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


CONTENT_TYPES = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def stored_file_identity(name: str, *, original_name: str, variant: str) -> tuple[str, str, str] | None:
    """(stored name, content type, download name) of a stored image or its thumbnail.

    The content type comes from the extension the pipeline gave the stored file; the
    download name from what the customer called it. None for a name that is not ours.
    """
    extension = os.path.splitext(name or "")[1].lower()
    content_type = CONTENT_TYPES.get(extension)
    if not name or content_type is None:
        return None
    stem = os.path.splitext(os.path.basename(original_name))[0] or "image"
    suffix = "" if variant == "image" else "-thumbnail"
    return name, content_type, f"{stem}{suffix}{extension}"


def _is_local_storage() -> bool:
    # default_storage is a lazy proxy; isinstance sees through it to the real class.
    return isinstance(default_storage, FileSystemStorage)
