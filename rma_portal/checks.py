"""System checks of the production settings, run by ``manage.py check --deploy``."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def tasks_leave_the_request(app_configs, **kwargs) -> list[Error]:
    """
    In production every task goes through a broker to a worker. Run in the request (no
    ``REDIS_URL``), "Send Code" would issue and email the code before answering, and would
    take longer for an address that has an account than for one that has none: the timing
    would tell who is a customer. A send that fails would also fail the page.
    """
    if settings.DEBUG or not settings.CELERY_TASK_ALWAYS_EAGER:
        return []
    return [
        Error(
            "Tasks run inside the request (no REDIS_URL, or CELERY_TASK_ALWAYS_EAGER set).",
            hint="Set REDIS_URL to the Redis that carries Celery's messages, and run a worker and beat.",
            id="rma_portal.E001",
        )
    ]
