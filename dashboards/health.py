"""Liveness and readiness: /healthz says the process answers, /readyz checks every part
a query needs (metadata DB, broker, a live worker) and names the ones that are down."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from config.celery import app as celery_app

WORKER_PING_TIMEOUT_S = 1.0


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # any failure means not ready; the message says which
        return f"metadata database: {error}"
    return None


def check_broker() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # ditto
        return f"broker: {error}"
    return None


def check_worker() -> str | None:
    try:
        replies = celery_app.control.ping(timeout=WORKER_PING_TIMEOUT_S)
    except Exception as error:  # ditto
        return f"worker: {error}"
    return None if replies else "worker: no worker answered a ping"


def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": check_database, "broker": check_broker, "worker": check_worker}
    problems = {name: problem for name, check in checks.items() if (problem := check())}
    body = {
        "status": "ok" if not problems else "unavailable",
        "checks": {name: problems.get(name, "ok") for name in checks},
        "broker": "redis" if settings.REDIS_URL else "filesystem",
    }
    return JsonResponse(body, status=200 if not problems else 503)
