from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The project itself: project-wide commands (seed_demo, run_schedule) and system checks."""

    name = "rma_portal"
    verbose_name = "RMA portal"

    def ready(self) -> None:
        from rma_portal import checks  # noqa: F401  (registers the deploy checks)
