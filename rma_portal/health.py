"""Liveness and readiness: ``/healthz`` checks the database, ``?deep=1`` also the broker and cache."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("value written was not read back")
    cache.delete(key)


def _check_broker() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # tasks run in-process: there is no broker to reach
    from rma_portal.celery import app

    with app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """``200 ok`` when every check passes, otherwise ``503`` naming what failed."""
    checks = [("database", _check_database)]
    if request.GET.get("deep") == "1":
        checks += [("cache", _check_cache), ("broker", _check_broker)]
    failed = []
    for name, check in checks:
        try:
            check()
        except Exception as exc:
            logger.warning("health check %s failed: %s", name, exc)
            failed.append(name)
    if failed:
        body = "unavailable: " + ", ".join(failed) + "\n"
        return HttpResponse(body, status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
