from django.apps import AppConfig


class ExtraPartConfig(AppConfig):
    """A test-only app: a required part and a status declared outside the core, as any app would."""

    name = "tests.extra_part"
    label = "extra_part"
    default_auto_field = "django.db.models.BigAutoField"
