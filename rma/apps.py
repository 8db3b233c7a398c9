from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RmaConfig(AppConfig):
    name = "rma"
    verbose_name = _("RMA cases")

    def ready(self) -> None:
        from rma import tasks  # noqa: F401  (registers the tasks services queue by name)
        from rma.backoffice import figures
        from rma_portal.page_cache import connect_signals

        connect_signals()  # cached customer pages follow every change of their data
        figures.connect_signals()  # the reports' per-day figures follow every change of a case
