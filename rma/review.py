"""
The warranty team's review of what a customer sent, in admin.

One page per case under review: each required part with its details and images (thumbnails
linking to the full picture), the signals worth a second look (a transaction or tracking
number used on another case, the PayPal lookup), and one form: accept everything, or send
chosen parts (or single pieces, such as the label photo) back with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma import submissions
from rma.models import Action, Case, transition_for
from rma.services import CaseActionError, RequestMeta, can_take


@dataclass
class PartReview:
    """What the reviewer sees of one part."""

    details: list[tuple[str, str]] = field(default_factory=list)
    images: list[tuple[str, str, str]] = field(default_factory=list)  # (caption, thumbnail URL, full URL)
    warnings: list[str] = field(default_factory=list)


# Part key -> function(case) -> PartReview, registered by the app that owns the part.
_reviewers: dict[str, object] = {}
ITEM_LABELS = {
    "tracking": gettext_lazy("Carrier and tracking number"),
    "label_photo": gettext_lazy("Shipping label photo"),
    "postage_receipt": gettext_lazy("Postage receipt photo"),
}


def register_reviewer(key: str, reviewer) -> None:
    _reviewers[key] = reviewer


def review_sections(case: Case) -> list[tuple[submissions.Part, PartReview]]:
    """Each required part of ``case`` with what the reviewer needs to see of it."""
    sections = []
    for part in submissions.required_parts(case):
        reviewer = _reviewers.get(part.key)
        sections.append((part, reviewer(case) if reviewer else PartReview()))
    return sections


def send_back_choices(case: Case) -> list[tuple[str, str]]:
    """The parts, and the pieces of parts, the reviewer may send back."""
    choices = []
    for key in submissions.PART_ORDER:
        spec = submissions._registry.get(key)
        if spec is None or not spec.needed(case):
            continue
        choices.append((key, str(spec.title)))
        choices.extend((item, f"— {ITEM_LABELS.get(item, item)}") for item in spec.items)
    return choices


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=(
            ("accept", gettext_lazy("Accept everything: the case goes to processing")),
            ("send_back", gettext_lazy("Send the chosen parts back to the customer")),
        ),
        widget=forms.RadioSelect,
    )
    parts = forms.MultipleChoiceField(
        label=gettext_lazy("Parts to send back"), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (shown to the customer)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parts"].choices = send_back_choices(case)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "send_back":
            if not data.get("parts"):
                self.add_error("parts", _("Choose at least one part to send back."))
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Say why, so the customer knows what to fix."))
        return data


def review_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Show a case's submission (GET) and take the reviewer's decision (POST)."""
    case = model_admin.get_object(request, object_id)
    if case is None:
        raise Http404("No such case.")
    if not model_admin.has_change_permission(request, case):
        raise PermissionDenied
    change_url = reverse("admin:rma_case_change", args=[case.pk])
    may_review = case.status == Case.Status.UNDER_REVIEW and can_take(
        transition_for(Action.ACCEPT), case=case, user=request.user
    )
    form = ReviewForm(request.POST if request.method == "POST" else None, case=case)
    if request.method == "POST":
        if not may_review:
            model_admin.message_user(
                request, _("Nothing was changed: this case is not under review."), messages.ERROR
            )
            return HttpResponseRedirect(change_url)
        if form.is_valid():
            meta = RequestMeta.from_request(request)
            try:
                if form.cleaned_data["decision"] == "accept":
                    case = submissions.submission_accept(case=case, actor=request.user, meta=meta)
                    done = _("Accepted: the case is now “%(status)s”.")
                else:
                    case = submissions.submission_send_back(
                        case=case,
                        actor=request.user,
                        parts=form.cleaned_data["parts"],
                        reason=form.cleaned_data["reason"],
                        meta=meta,
                    )
                    done = _("Sent back: the case is now “%(status)s” and the customer was told why.")
            except CaseActionError as error:
                model_admin.message_user(request, error.message, messages.ERROR)
                return HttpResponseRedirect(change_url)
            model_admin.message_user(request, done % {"status": case.get_status_display()}, messages.SUCCESS)
            return HttpResponseRedirect(change_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": case,
        "title": _("Review of %(number)s") % {"number": case.number},
        "sections": review_sections(case),
        "form": form,
        "may_review": may_review,
        "change_url": change_url,
        "has_view_permission": True,
    }
    return TemplateResponse(request, "admin/rma/case/review.html", context)
