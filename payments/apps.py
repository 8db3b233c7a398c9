from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from django.utils import timezone

        from payments.models import SupplementaryPayment
        from rma.submissions import PartSpec, PartState, register_part, related_part

        def read_payment(case) -> tuple[str, str]:
            payment = related_part(case, "supplementary_payment")
            if payment is None:
                return PartState.TO_DO, ""
            return payment.state, payment.sent_back_reason

        def mark_payment(case, state: str, reason: str, items: tuple[str, ...]) -> None:
            SupplementaryPayment.objects.filter(case=case).update(
                state=state, sent_back_reason=reason, reviewed_at=timezone.now(), updated_at=timezone.now()
            )

        register_part(
            PartSpec(
                key="payment",
                title=_("Payment proof"),
                needed=lambda case: case.requires_payment,
                read=read_payment,
                url_name="payments:payment",
                mark=mark_payment,
            )
        )
