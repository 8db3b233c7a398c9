from django.contrib import admin

from rma.required.admin import PartAdminMixin
from rma.required.parts import PartReview, part_of
from tests.extra_part.bindings import ProofBinding
from tests.extra_part.models import ProofOfPurchase


@admin.register(ProofOfPurchase)
class ProofOfPurchaseAdmin(PartAdminMixin, admin.ModelAdmin):
    binding = ProofBinding()

    def review_section(self, case):
        proof = part_of(case, ProofOfPurchase)
        return PartReview(details=[("Invoice number", proof.invoice_number)] if proof else [])
