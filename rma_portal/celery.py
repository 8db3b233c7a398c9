"""The Celery application. Its configuration lives in settings under ``CELERY_*``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rma_portal.settings")

# Every task claims and completes its outbox row (rma_portal.outbox.OutboxTask).
app = Celery("rma_portal", task_cls="rma_portal.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
