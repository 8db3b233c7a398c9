"""``/rma/new/``: a signed-in customer starts a warranty claim; and the claim's photos."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from rma.cases.http import request_meta
from rma.claims.forms import ClaimForm
from rma.claims.models import ClaimPhoto
from rma.claims.services import (
    ClaimRefused,
    claim_photos_drop,
    claim_photos_keep,
    claim_photos_kept,
    claim_send,
    claim_verdict,
)
from rma_portal import private_files

# The form's buttons (``step``: not ``action``, which would hide the form's own action from
# scripts): narrow the product list, see the verdict, or send the claim.
SEARCH, CHECK, SEND = "search", "check", "send"


class ClaimStartView(LoginRequiredMixin, View):
    """The claim form. Nothing typed is lost when it comes back: the fields are filled again
    and the photos that passed their checks are kept (``ClaimPhoto`` without a claim)."""

    template_name = "rma/claim_new.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_staff:
            raise Http404("Claims are sent by customers.")
        return self._render(ClaimForm(), kept=[])

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_staff:
            raise Http404("Claims are sent by customers.")
        action = request.POST.get("step") or SEND
        customer = request.user
        kept = claim_photos_kept(customer=customer, ids=request.POST.getlist("keep_photo"))
        claim_photos_drop(customer=customer, keep_ids=[photo.pk for photo in kept])
        form = ClaimForm(request.POST, request.FILES, kept_count=len(kept))
        valid = form.is_valid()
        verdict = claim_verdict(form.claimed_item()) if form.item_fields_valid() else None
        duplicate = None
        if valid and action == SEND:
            try:
                case = claim_send(
                    customer=customer,
                    item=form.claimed_item(),
                    reason=form.cleaned_data["reason"],
                    problem=form.cleaned_data["problem"],
                    order_number=form.cleaned_data["order_number"],
                    photos=form.good_photos,
                    kept=kept,
                    meta=request_meta(request),
                )
            except ClaimRefused as refused:
                duplicate = refused.case
                if refused.reason == "too_many":
                    form.add_error(
                        None,
                        _(
                            "You have sent %(count)s claims in the last 24 hours, the most we take in a "
                            "day. Please send this one tomorrow: everything you typed is still here."
                        )
                        % {"count": settings.RMA_CLAIMS_PER_CUSTOMER_PER_DAY},
                    )
            else:
                messages.success(
                    request,
                    _(
                        "We received your claim %(number)s and sent you an email about it. The "
                        "warranty team answers on this page."
                    )
                    % {"number": case.number},
                )
                return redirect(case)
        if form.good_photos:
            kept = kept + claim_photos_keep(customer=customer, photos=form.good_photos)
        return self._render(form, kept=kept, verdict=verdict, duplicate=duplicate, quiet=action == SEARCH)

    def _render(
        self, form: ClaimForm, *, kept, verdict=None, duplicate=None, quiet: bool = False
    ) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "kept": kept,
                "verdict": verdict,
                "duplicate": duplicate,
                "quiet": quiet,
                "room_for_photos": settings.RMA_CLAIM_MAX_PHOTOS - len(kept),
            },
        )


class ClaimPhotoFileView(View):
    """A claim's photo or its thumbnail: for the customer who sent it and for signed-in staff."""

    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, photo_id: int, variant: str) -> HttpResponse:
        if variant not in ("image", "thumbnail") or not request.user.is_authenticated:
            raise Http404("No such file.")
        photo = ClaimPhoto.objects.filter(pk=photo_id).first()
        if photo is None or not (
            photo.customer_id == request.user.pk or private_files.staff_may_view(request.user)
        ):
            raise Http404("No such file.")
        name = photo.image.name if variant == "image" else photo.thumbnail.name
        found = private_files.stored_file_identity(name, original_name=photo.original_name, variant=variant)
        if found is None:
            raise Http404("No such file.")
        name, content_type, download_name = found
        return private_files.stored_file_response(
            name, content_type=content_type, download_name=download_name
        )
