from rma.required.views import PartStepView
from tests.extra_part.bindings import ProofBinding


class ProofView(PartStepView):
    binding = ProofBinding()
    template_name = "extra_part/proof.html"
    closed_message = "Nothing was changed: no proof of purchase now."
    thanks_message = "Thank you: we received your proof of purchase."
