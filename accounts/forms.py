"""Input of the sign-in pages; validation only."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import LOGIN_CODE_DIGITS


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": _("Enter the email address you wrote to the warranty team from."),
            "invalid": _("That does not look like an email address. Check it for typos."),
        },
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        # Room for a pasted code with spaces or dashes in it; they are removed below.
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "class": "code-input",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
        error_messages={"required": _("Type the 6-digit code from the email.")},
    )

    def clean_code(self) -> str:
        code = re.sub(r"[\s\-]", "", self.cleaned_data["code"])
        if not re.fullmatch(rf"[0-9]{{{LOGIN_CODE_DIGITS}}}", code):
            raise forms.ValidationError(
                _("The code is made of 6 digits. Check what you typed."), code="format"
            )
        return code
