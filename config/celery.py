"""The Celery app and the whole beat schedule."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dashwire")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
)
app.autodiscover_tasks(["dashboards.pipeline"])

app.conf.beat_schedule = {
    "reap-stale-executions": {
        "task": "dashboards.pipeline.tasks.reap_stale_executions",
        "schedule": 15.0,
        "options": {"expires": 14.0},
    },
    "evict-results": {
        "task": "dashboards.pipeline.tasks.evict_results",
        "schedule": 300.0,
        "options": {"expires": 290.0},
    },
}
