"""The files that came with a reply by email: pictures for the case's customer and the team,
any other file for the team only. Anyone else gets a 404, as for a file that is not there."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views import View

from rma.cases.models import CaseMessage
from rma.cases.selectors import case_number_for_customer
from rma_portal import private_files


class MessageFileView(View):
    """``/rma/<number>/messages/<message_id>/files/<index>/<variant>/``: one attached file."""

    http_method_names = ["get", "head"]

    def get(
        self, request: HttpRequest, number: str, message_id: int, index: int, variant: str
    ) -> HttpResponseBase:
        staff = private_files.staff_may_view(request.user)
        if not staff and not request.user.is_authenticated:
            raise Http404("No such file.")
        cases = (
            {"case__number": number}
            if staff
            else {"case": case_number_for_customer(user=request.user, number=number)}
        )
        message = CaseMessage.objects.filter(pk=message_id, **cases).only("attachments").first()
        if message is None or not 0 <= index < len(message.attachments):
            raise Http404("No such file.")
        entry = message.attachments[index]
        if entry.get("kind") == "image" and variant in ("image", "thumbnail"):
            found = private_files.stored_file_identity(
                entry.get(variant, ""), original_name=entry.get("name", ""), variant=variant
            )
            if found is None:
                raise Http404("No such file.")
            name, content_type, download_name = found
            return private_files.stored_file_response(
                name, content_type=content_type, download_name=download_name
            )
        if entry.get("kind") == "file" and variant == "file" and staff:
            return _download(entry["file"], entry.get("name") or "attachment")
        raise Http404("No such file.")


def _download(name: str, download_name: str) -> HttpResponseBase:
    """Any other file, for the team: always a download, never shown in the browser."""
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("The file is gone.") from None
    response = FileResponse(
        handle, content_type="application/octet-stream", as_attachment=True, filename=download_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
