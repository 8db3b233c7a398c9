"""The forms of the case's admin pages: the case itself, the confirmation of a step, and the
agent chosen for a bulk assignment."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rma.cases.editing import SOLUTION_FIELDS, TEAM_FIELDS
from rma.cases.models import (
    Action,
    Case,
    Transition,
)
from rma.cases.workflow import CaseStaleError, check_unchanged_since, last_event_id
from rma_portal.formats import join_list


class CaseAdminForm(forms.ModelForm):
    customer_email = forms.EmailField(
        label=gettext_lazy("Customer's email address"),
        required=False,
        help_text=gettext_lazy("The address the customer wrote from."),
    )
    new_customer = forms.BooleanField(
        label=gettext_lazy("This is a new customer"),
        required=False,
        help_text=gettext_lazy(
            "Tick it when no customer has this address yet: an account is then made for it. "
            "Asked only for an address the portal does not know, so that a typo does not make "
            "a second account for someone."
        ),
    )
    reply_to_customer = forms.CharField(
        label=gettext_lazy("Reply to the customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Sent to the customer by email and shown on their case page."),
    )

    # The case's newest event when the form was opened: a form older than a change made
    # meanwhile (by another agent, the customer or a task) does not overwrite it.
    # Missing, empty or not a number, it tells nothing: the edit is refused as a stale one.
    seen_event = forms.CharField(required=False, widget=forms.HiddenInput)

    # Whether the add form's address belongs to an account already (set by its cleaning).
    customer_exists = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # Read with the case on its own page (CaseAdmin.get_object); else looked up.
            newest = getattr(self.instance, "newest_event_id", None)
            self.fields["seen_event"].initial = newest if newest is not None else last_event_id(self.instance)

    class Meta:
        model = Case
        fields = (*SOLUTION_FIELDS, *TEAM_FIELDS)

    def clean_customer_email(self) -> str:
        email = self.cleaned_data.get("customer_email", "")
        if self.instance.pk is None:
            if not email:
                raise ValidationError(_("Enter the customer's email address."))
            existing = get_user_model().objects.with_email(email).first()
            if existing is not None and existing.is_staff:
                raise ValidationError(_("This address belongs to a member of staff, not a customer."))
            self.customer_exists = existing is not None
        return email

    def clean_seen_event(self) -> int | None:
        value = (self.cleaned_data.get("seen_event") or "").strip()
        return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None

    def clean(self) -> dict:
        cleaned = super().clean()
        edits = set(self.changed_data) & {*SOLUTION_FIELDS, *TEAM_FIELDS}
        if self.instance.pk is not None and edits:  # a reply alone overwrites nothing
            try:
                check_unchanged_since(self.instance, cleaned.get("seen_event"), required=True)
            except CaseStaleError as error:
                raise ValidationError(error.message) from error
        email = cleaned.get("customer_email")
        if (
            self.instance.pk is None
            and email
            and not self.customer_exists
            and not cleaned.get("new_customer")
        ):
            message = _(
                "No customer has this address yet. Check it for typos; if it is right, tick "
                "“This is a new customer” and save again."
            )
            alike = [user.email for user in get_user_model().objects.customers_like(email)]
            if alike:
                message += " " + _("Customers with a similar address: %(addresses)s.") % {
                    "addresses": join_list(alike)
                }
            self.add_error("customer_email", message)
        if (
            self.instance.pk is not None
            and self.instance.is_closed
            and cleaned.get("reply_to_customer", "").strip()
        ):
            self.add_error(
                "reply_to_customer",
                _(
                    "This case is closed, so it takes no more messages. "
                    "The customer can write through the contact page."
                ),
            )
        return cleaned


def transition_label(row: Transition, on_behalf: bool) -> str:
    label = str(Action(row.action).label)
    if on_behalf:
        return _("%(action)s on the customer's behalf") % {"action": label}
    return label


class TransitionForm(forms.Form):
    """The few inputs a transition takes: a comment, and what completing a case needs."""

    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # The status the confirmation page showed: a case moved on since is refused as such.
    seen_status = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, transition: Transition, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        self.fields["seen_status"].initial = case.status
        if transition.comment_required:
            self.fields["comment"].required = True
            self.fields["comment"].help_text = {
                Action.DISAGREE: _("What the customer finds wrong and which solution they want instead."),
                Action.REQUEST_INFO: _("Shown to the customer: what to send again and why."),
                Action.SEND_BACK: _("For the agent: what to change."),
                Action.CANCEL: _("Shown to the customer: why the case is closed."),
                Action.EXTEND_RETURN: _("Shown to the customer: why they get more time for the return."),
            }.get(transition.action, "")
        elif transition.action in (Action.REVISE, Action.COMPLETE):
            self.fields["comment"].help_text = _("Optional; shown to the customer with this step.")
        elif transition.on_behalf:
            self.fields["comment"].help_text = _(
                "How the customer asked you to do this (kept in the audit trail)."
            )
        if transition.action == Action.EXTEND_RETURN:
            self.fields["return_due_on"] = forms.DateField(
                label=gettext_lazy("Return now due on"),
                widget=forms.DateInput(attrs={"type": "date"}),
                help_text=_("At most a day before the portal settles the PayPal hold itself (day 28)."),
            )
        if transition.action == Action.CAPTURE_HOLD:
            self.fields["comment"].help_text = _(
                "PayPal takes the held amount from the customer for good, and the case completes."
            )
        if transition.action == Action.SHIP_AHEAD:
            self.fields["outbound_carrier"] = forms.CharField(label=gettext_lazy("Carrier"), max_length=60)
            self.fields["outbound_tracking_number"] = forms.CharField(
                label=gettext_lazy("Tracking number"), max_length=60
            )
        if transition.action == Action.COMPLETE:
            if case.solution_type == Case.SolutionType.REFUND:
                self.fields["refund_reference"] = forms.CharField(
                    label=gettext_lazy("Refund reference"), max_length=100
                )
            else:
                self.fields["outbound_carrier"] = forms.CharField(
                    label=gettext_lazy("Carrier"), max_length=60
                )
                self.fields["outbound_tracking_number"] = forms.CharField(
                    label=gettext_lazy("Tracking number"), max_length=60
                )

    def service_arguments(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "seen_status"}


class AssignForm(forms.Form):
    agent = forms.ModelChoiceField(
        label=gettext_lazy("Assign to"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody (unassign)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = (
            get_user_model().objects.filter(is_staff=True, is_active=True).order_by("full_name", "email")
        )
