"""Forms of the customer's case pages: they validate input and nothing else."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DisagreeForm(forms.Form):
    comment = forms.CharField(
        label=_("What is wrong, and which solution would you like instead?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Please tell us what is wrong with the solution and which one you would like."),
        },
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message to the warranty team"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please write your message first.")},
    )
