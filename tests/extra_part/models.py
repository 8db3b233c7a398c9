"""A proof of purchase the customer sends: a required part declared by an app of its own."""

from django.db import models

from rma.cases.models import Action, Case
from rma.required.models import RequiredPart


class ProofOfPurchase(RequiredPart):
    key = "proof"
    title = "Proof of purchase"
    case_accessor = "proof_of_purchase"
    step_url_name = "extra_part_proof"
    binding = "tests.extra_part.bindings.ProofBinding"
    submit_action = Action.EDIT  # the core's actions are enough for a test
    step_title = "Send the proof of purchase"
    help_anchor = "images"
    has_pictures = True
    submitted_sentence = "Your proof of purchase was received."

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="proof_of_purchase")
    invoice_number = models.CharField(max_length=40)

    @classmethod
    def is_needed(cls, case: Case) -> bool:
        return True  # declared only by the tests that want it (settings.RMA_REQUIRED_PARTS)

    @classmethod
    def ask(cls, case, *, after_shipment=False, sent_back=()) -> str:
        return f"Send us the invoice number of {case.number}."
