"""Thin Celery tasks: ids in, execution code does the work."""

from __future__ import annotations

from celery import shared_task

from dashboards.pipeline import execution, result_store

# how long an execution whose user is at the running limit waits before it asks again
DEFER_S = 0.5


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_execution(execution_id: int) -> None:
    if not execution.execute(execution_id):
        run_execution.apply_async(args=[execution_id], countdown=DEFER_S)


@shared_task(ignore_result=True)
def reap_stale_executions() -> int:
    return execution.reap_stale_executions()


@shared_task(ignore_result=True)
def evict_results() -> int:
    return result_store.evict_results()
