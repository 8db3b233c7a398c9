"""The contact form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rma.cases.models import Case
from rma.cases.selectors import visible_cases
from rma.required.forms import IMAGE_ACCEPT, MultipleImageInput
from rma_portal import images


class ScreenshotsField(forms.FileField):
    """Up to a few files under one name, handed to the form's ``clean_screenshots`` as they came."""

    widget = MultipleImageInput

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "accept": IMAGE_ACCEPT, "multiple": True}

    def clean(self, data, initial=None):
        uploads = [upload for upload in (data if isinstance(data, (list, tuple)) else [data]) if upload]
        for upload in uploads:
            super().clean(upload, initial)
        return uploads


class SupportForm(forms.Form):
    """What a visitor or customer writes; ``email`` only when signed out, ``case`` only when in."""

    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        max_length=254,
        help_text=gettext_lazy("The address you used when you wrote to the warranty team, if you did."),
        error_messages={
            "required": gettext_lazy("Enter your email address so we can answer you."),
            "invalid": gettext_lazy("Enter a full email address, like name@example.com."),
        },
    )
    case = forms.ChoiceField(label=gettext_lazy("About which RMA solution?"), required=False)
    subject = forms.CharField(
        label=gettext_lazy("Subject"),
        max_length=200,
        error_messages={"required": gettext_lazy("Give your message a short subject.")},
    )
    message = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Tell us what happened. An RMA number or the text of an error message helps."),
        error_messages={"required": gettext_lazy("Write your message: it cannot be empty.")},
    )
    screenshots = ScreenshotsField(
        label=gettext_lazy("Screenshots (optional)"),
        required=False,
        help_text=gettext_lazy(
            "Up to 3 pictures of what you see, such as an error message: JPG, PNG or WEBP, up to 10 MB each."
        ),
    )
    # Left empty by people; filled in by the simplest robots, which are then turned away.
    website = forms.CharField(required=False, label=gettext_lazy("Leave this field empty"))

    def __init__(self, *args, user: Any, kept_count: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # Screenshots kept from the form's last refusal, sent along with any new ones.
        self.kept_count = kept_count
        # The new screenshots that passed their checks, even if others did not.
        self.good_screenshots: list[images.CleanImage] = []
        self.signed_in = user.is_authenticated and not user.is_staff
        if self.signed_in:
            del self.fields["email"]
            self.cases = {case.number: case for case in visible_cases(user=user).order_by("-created_at")}
            self.fields["case"].choices = [("", _("None in particular"))] + [
                (number, f"{number} ({Case.Status(case.customer_status).label})")
                for number, case in self.cases.items()
            ]
        else:
            del self.fields["case"]
            self.cases = {}

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Write your message: it cannot be empty."))
        return message

    def clean_subject(self) -> str:
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise forms.ValidationError(_("Give your message a short subject."))
        return subject

    def clean_screenshots(self) -> list[images.CleanImage]:
        """Each file through the image pipeline; every refusal named, the good ones noted for keeping."""
        uploads = self.cleaned_data.get("screenshots") or []
        room = settings.SUPPORT_MAX_SCREENSHOTS - self.kept_count
        if len(uploads) > room:
            if room <= 0:
                message = _("No more screenshots fit: take one of the kept ones out before you add another.")
            elif self.kept_count:
                message = ngettext(
                    "Only %(room)d more screenshot fits beside the ones kept.",
                    "Only %(room)d more screenshots fit beside the ones kept.",
                    room,
                )
            else:
                message = _("You chose %(count)d screenshots; at most %(room)d can be sent.")
            raise forms.ValidationError(message % {"count": len(uploads), "room": room})
        good, problems = images.clean_each(uploads)
        self.good_screenshots.extend(good)
        if problems:
            raise forms.ValidationError(problems)
        return self.good_screenshots

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""

    def selected_case(self) -> Case | None:
        return self.cases.get(self.cleaned_data.get("case") or "")
