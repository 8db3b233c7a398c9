from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RmaConfig(AppConfig):
    name = "rma"
    verbose_name = _("RMA cases")

    def ready(self) -> None:
        from rma.returns import register_parts

        register_parts()  # the return shipment and shipping address parts of the checklist
        from rma import returns_admin  # noqa: F401  (their admin pages)
        from rma.page_cache import connect_signals

        connect_signals()  # cached customer pages follow every change of their data
