"""
The customer's pages of the required information, on two bases every part shares.

``PartStepView`` is one step of the checklist (``/rma/<number>/<part>/``): it shows the
page, takes the form, calls the part's service and says how it went. ``PrivateFileView``
serves an uploaded picture to the case's customer and to staff, and to nobody else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View

from accounts.limits import hit_account_limit
from rma.cases.http import request_meta
from rma.cases.models import Case
from rma.cases.selectors import case_number_for_customer
from rma.cases.workflow import CaseActionError
from rma.required.bindings import AddressBinding, PartBinding, ReturnBinding
from rma.required.carriers import OTHER
from rma.required.forms import MultipleImageField
from rma.required.held_uploads import (
    held_upload_remove,
    held_uploads_for,
    held_uploads_keep,
    held_uploads_load,
    held_uploads_release,
)
from rma.required.models import HeldUpload, RequiredPart, ReturnShipment
from rma_portal import private_files


class CustomerCaseMixin(LoginRequiredMixin):
    """A page about one of the signed-in customer's cases; others' and hidden cases are a 404."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case = case_number_for_customer(user=request.user, number=kwargs["number"])
        return super().dispatch(request, *args, **kwargs)


class PartStepView(CustomerCaseMixin, View):
    """One part of the checklist: its page (GET) and its form (POST).

    A subclass names the part's binding (its form and the call of its service, shared with
    the team's page that enters the part for the customer) and its template.
    """

    binding: PartBinding
    template_name: str
    closed_message: str | Promise  # the case takes no such information now
    thanks_message: str | Promise
    # The form's picture fields: what passed the checks in a refused submission is kept.
    file_fields: tuple[str, ...] = ()

    @property
    def part_model(self) -> type[RequiredPart]:
        return self.binding.model

    def get_part(self) -> RequiredPart | None:
        """The case's part, read once per request (the page and its form both need it)."""
        if not hasattr(self, "_part"):
            self._part = self.find_part()
        return self._part

    def find_part(self) -> RequiredPart | None:
        return self.part_model.objects.filter(case=self.case).first()

    def open_pieces(self, part: RequiredPart | None) -> tuple[str, ...]:
        """What the customer may send now (nothing unless the case waits for information)."""
        if not self.part_model.open_now(self.case):
            return ()
        return part.open_pieces() if part is not None else self.part_model.start(self.case).open_pieces()

    def get_form(self, data=None, files=None, *, pieces: tuple[str, ...]) -> Form:
        return self.binding.form(self.case, data, files, part=self.get_part(), pieces=pieces, on_behalf=False)

    def get_context_data(self, part: RequiredPart | None, form: Form | None) -> dict[str, Any]:
        pieces = self.open_pieces(part)
        return {
            "case": self.case,
            "part": part,
            "pieces": pieces,
            "editable": bool(pieces),
            "form": form or self.get_form(pieces=pieces or self.part_model.start(self.case).open_pieces()),
            "max_megabytes": settings.UPLOAD_MAX_BYTES // (1024 * 1024),
        }

    def render_page(self, form: Form | None = None, status: int = 200) -> HttpResponse:
        context = self.get_context_data(self.get_part(), form)
        for name, uploads in self.held_uploads().items():
            if name in context["form"].fields:
                context["form"].fields[name].held = uploads  # shown as already chosen
        return render(self.request, self.template_name, context, status=status)

    def submit(self, form: Form) -> HttpResponse | None:
        """Hand the form to the part's service; a step that leads elsewhere (PayPal's approval
        page) answers with where to go, the others with nothing."""
        meta = request_meta(self.request)
        self.binding.submit(self.case, form, actor=self.request.user, meta=meta, on_behalf=False)
        return None

    def refused_url(self) -> str:
        """Where a refused submission leads: the case page, unless the step says otherwise."""
        return self.case.get_absolute_url()

    def get(self, request: HttpRequest, number: str) -> HttpResponse:
        # A claim the team is looking at offers no solution yet, whatever the team is writing.
        if not self.part_model.is_needed(self.case) or self.case.customer_status == Case.Status.REQUESTED:
            raise Http404("This RMA solution does not ask for this.")
        return self.render_page()

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        if not self.part_model.is_needed(self.case) or not self.part_model.open_now(self.case):
            messages.error(request, self.closed_message)
            return redirect(self.case)
        pieces = self.open_pieces(self.get_part())
        if not pieces:
            messages.error(
                request,
                _("Nothing was changed: “%(part)s” is already with the warranty team.")
                % {"part": self.part_model.title},
            )
            return redirect(self.case)
        if "remove_held" in request.POST:
            return self.remove_held(pieces)
        if request.FILES:
            limited = self.upload_limit_page(pieces)
            if limited is not None:
                return limited
        held = self.held_uploads()
        form = self.get_form(request.POST, request.FILES, pieces=pieces)
        for name in held:
            if name in form.fields and not request.FILES.getlist(name):
                form.fields[name].required = False  # the kept picture stands in for it
        if not form.is_valid():
            self.keep_good_files(form)
            return self.render_page(form, status=400)
        for name, uploads in held.items():
            if name in form.fields and not form.cleaned_data.get(name):
                loaded = held_uploads_load(uploads)
                form.cleaned_data[name] = (
                    loaded if isinstance(form.fields[name], MultipleImageField) else loaded[0]
                )
        try:
            response = self.submit(form)
        except CaseActionError as error:
            messages.error(request, error.message)
            return redirect(self.refused_url())
        held_uploads_release(customer=request.user, case=self.case, part=self.part_model.key)
        if response is not None:
            return response
        messages.success(request, self.thanks_message)
        return redirect(self.case)

    def held_uploads(self) -> dict[str, list[HeldUpload]]:
        if not self.file_fields:
            return {}
        return held_uploads_for(customer=self.request.user, case=self.case, part=self.part_model.key)

    def keep_good_files(self, form: Form) -> None:
        """Keep each picture field that passed its checks, so a refusal elsewhere loses none."""
        for name in self.file_fields:
            value = form.cleaned_data.get(name) if name not in form.errors else None
            if value:
                held_uploads_keep(
                    customer=self.request.user,
                    case=self.case,
                    part=self.part_model.key,
                    field=name,
                    cleaned=value if isinstance(value, list) else [value],
                )

    def remove_held(self, pieces: tuple[str, ...]) -> HttpResponse:
        """The customer removed a kept picture: the form comes back with what they typed."""
        try:
            upload_id = int(self.request.POST["remove_held"])
        except ValueError:
            upload_id = 0
        held_upload_remove(customer=self.request.user, case=self.case, upload_id=upload_id)
        form = self.get_form(pieces=pieces)
        form.initial = {name: self.request.POST[name] for name in form.fields if name in self.request.POST}
        return self.render_page(form)

    def upload_limit_page(self, pieces: tuple[str, ...]) -> HttpResponse | None:
        """A 429 page, the typed answers kept, once the customer used up their hourly uploads
        (checked before any image is decoded)."""
        result = hit_account_limit(
            action="upload", user_id=self.request.user.pk, limit=settings.UPLOADS_PER_CUSTOMER_PER_HOUR
        )
        if result.allowed:
            return None
        minutes = max(1, -(-result.retry_after // 60))
        messages.error(
            self.request,
            ngettext(
                "You have sent many files in the last hour. Please send these again in %(minutes)d minute.",
                "You have sent many files in the last hour. Please send these again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
        )
        form = self.get_form(pieces=pieces)
        form.initial = {name: value for name, value in self.request.POST.items() if name in form.fields}
        response = self.render_page(form, status=429)
        response["Retry-After"] = str(result.retry_after)
        return response


class ReturnView(PartStepView):
    """``/rma/<number>/return/``: the warehouse address, and the return information form."""

    binding = ReturnBinding()
    file_fields = ReturnShipment.PHOTOS
    template_name = "rma/return.html"

    closed_message = gettext_lazy("Nothing was changed: this RMA solution takes no return information now.")

    thanks_message = gettext_lazy("Thank you: we received your return information.")

    def get_context_data(self, part: RequiredPart | None, form: Form | None) -> dict[str, Any]:
        return {
            **super().get_context_data(part, form),
            "shipment": part,
            "warehouse": self.case.warehouse,
            "other_carrier": OTHER,
        }


class AddressView(PartStepView):
    """``/rma/<number>/address/``: confirm or correct where the replacement goes."""

    binding = AddressBinding()
    template_name = "rma/address.html"

    closed_message = gettext_lazy("Nothing was changed: this RMA solution takes no address now.")

    thanks_message = gettext_lazy("Thank you: we will ship to this address.")

    def get_context_data(self, part: RequiredPart | None, form: Form | None) -> dict[str, Any]:
        return {**super().get_context_data(part, form), "address": part}


class PrivateFileView(View):
    """An uploaded picture of a case, for the case's customer and for staff only.

    A subclass finds the stored file (``stored_file``): its name, content type and the name
    the browser should save it under; anything it cannot find is a 404.
    """

    http_method_names = ["get", "head"]
    VARIANTS = ("image", "thumbnail")

    def stored_file(self, case: Case, variant: str, **kwargs) -> tuple[str, str, str] | None:
        raise NotImplementedError

    def get(self, request: HttpRequest, number: str, variant: str, **kwargs) -> HttpResponse:
        if variant not in self.VARIANTS:
            raise Http404("No such file.")
        if private_files.staff_may_view(request.user):
            case = Case.objects.filter(number=number).first()
        elif request.user.is_authenticated and not request.user.is_staff:
            case = case_number_for_customer(user=request.user, number=number)
        else:
            return redirect_to_login(request.get_full_path())
        found = self.stored_file(case, variant, **kwargs) if case is not None else None
        if found is None:
            raise Http404("No such file.")
        name, content_type, download_name = found
        return private_files.stored_file_response(
            name, content_type=content_type, download_name=download_name
        )


class HeldFileView(PrivateFileView):
    """A picture kept from a refused submission, for the customer who chose it."""

    def stored_file(self, case: Case, variant: str, upload_id: int = 0) -> tuple[str, str, str] | None:
        upload = HeldUpload.objects.filter(pk=upload_id, case=case, customer_id=self.request.user.pk).first()
        if upload is None:
            return None
        name = upload.image.name if variant == "image" else upload.thumbnail.name
        return private_files.stored_file_identity(name, original_name=upload.original_name, variant=variant)


class ReturnFileView(PrivateFileView):
    """A return photo (label or postage receipt) or its thumbnail."""

    def stored_file(self, case: Case, variant: str, piece: str = "") -> tuple[str, str, str] | None:
        shipment = ReturnShipment.objects.filter(case=case).first()
        if piece not in ReturnShipment.PHOTOS or shipment is None:
            return None
        name = getattr(shipment, piece if variant == "image" else f"{piece}_thumbnail").name
        return private_files.stored_file_identity(
            name, original_name=getattr(shipment, f"{piece}_name"), variant=variant
        )
