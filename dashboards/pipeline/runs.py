"""Service functions for runs: submit (cache, single-flight, enqueue), cancel, retry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from connectors.errors import ConnectorError
from dashboards.models import DataSource, Execution, QueryRun, RunStatus, SavedQuery
from dashboards.models.queries import ACTIVE_STATUSES
from dashboards.pipeline.execution import fail_lost_execution, finish_execution, is_stale
from dashboards.pipeline.governance import ExecutionPlan, Origin, plan_query
from dashboards.pipeline.result_store import find_fresh_result


class TooManyQueued(ConnectorError):
    """The user already has QUERY_MAX_QUEUED_PER_USER queries waiting to run."""

    sqlstate = "53400"
    retryable = True


def submit_run(
    user: User,
    *,
    datasource: DataSource,
    sql: str,
    origin: Origin,
    parameters: Mapping[str, Any] | None = None,
    max_age_s: float = 0,
    saved_query: SavedQuery | None = None,
    parameter_specs: list[dict[str, Any]] | None = None,
) -> QueryRun:
    """Record a run and get its result: from the cache when a result of the same
    fingerprint is younger than `max_age_s` (no broker involved), by joining an identical
    execution in flight, or by queuing a new one. A refused statement gives a run that
    has already failed, with the error's message and position. Parameters are checked
    against `parameter_specs`, else the saved query's, else types inferred from the values."""
    run = QueryRun(
        user=user,
        datasource=datasource,
        saved_query=saved_query,
        sql=sql,
        parameters=dict(parameters or {}),
        origin=origin,
    )
    try:
        plan = plan_query(
            user,
            datasource,
            sql,
            origin=origin,
            parameters=parameters,
            parameter_specs=parameter_specs or (saved_query.parameters if saved_query else None),
        )
    except ConnectorError as error:
        _mark_failed(run, error)
        run.save()
        return run
    run.fingerprint = plan.fingerprint
    if find_fresh_result(plan.fingerprint, max_age_s) is not None:
        return _answered_from_cache(run)
    waiting = QueryRun.objects.filter(user=user, status=RunStatus.QUEUED).count()
    if waiting >= settings.QUERY_MAX_QUEUED_PER_USER:
        _mark_failed(
            run,
            TooManyQueued(
                f"you have {waiting} queries waiting to run, the most one user may have "
                "(QUERY_MAX_QUEUED_PER_USER); wait for them or cancel some"
            ),
        )
        run.save()
        return run
    with transaction.atomic():
        execution, is_new = claim_execution(plan)
        # an identical execution that ended after the lookup above left its result first
        if is_new and find_fresh_result(plan.fingerprint, max_age_s) is not None:
            execution.delete()
            return _answered_from_cache(run)
        run.execution = execution
        run.status = execution.status
        run.save()
        if is_new:
            transaction.on_commit(lambda: enqueue_execution(execution))
    return run


def _answered_from_cache(run: QueryRun) -> QueryRun:
    run.status = RunStatus.SUCCEEDED
    run.is_cached = True
    run.finished_at = timezone.now()
    run.duration_ms = 0
    run.save()
    return run


def _mark_failed(run: QueryRun, error: ConnectorError) -> None:
    run.status = RunStatus.FAILED
    run.error_message = error.message
    run.error_position = error.position
    run.error_sqlstate = error.sqlstate
    run.is_retryable = error.retryable
    run.finished_at = timezone.now()
    run.duration_ms = 0


def claim_execution(plan: ExecutionPlan) -> tuple[Execution, bool]:
    """The in-flight execution of the plan's fingerprint, created if there is none.

    Returns (execution, is_new). The unique `inflight_key` makes the claim atomic across
    every process; a claim whose worker stopped beating is released and taken over.
    """
    while True:
        try:
            with transaction.atomic():
                execution = Execution.objects.create(
                    fingerprint=plan.fingerprint,
                    inflight_key=plan.fingerprint,
                    datasource=plan.datasource,
                    statement_sql=plan.statement_sql,
                    user_sql=plan.user_sql,
                    max_rows=plan.max_rows,
                    max_bytes=plan.max_bytes,
                    timeout_s=plan.timeout_s,
                )
            return execution, True
        except IntegrityError:
            existing = Execution.objects.filter(inflight_key=plan.fingerprint).first()
            if existing is None:
                continue  # it ended between our insert and this read
            if not is_stale(existing):
                return existing, False
            fail_lost_execution(existing)


def enqueue_execution(execution: Execution) -> None:
    from dashboards.pipeline.tasks import run_execution

    result = run_execution.apply_async(args=[execution.pk], expires=settings.QUEUED_EXECUTION_MAX_S)
    Execution.objects.filter(pk=execution.pk).update(task_id=result.id)


def cancel_run(run: QueryRun) -> QueryRun:
    """Cancel the run. Its execution is stopped on the engine unless other runs still
    wait for it. Ended runs are returned unchanged."""
    with transaction.atomic():
        updated = QueryRun.objects.filter(pk=run.pk, status__in=ACTIVE_STATUSES).update(
            status=RunStatus.CANCELLED,
            finished_at=timezone.now(),
            error_message="cancelled by the user",
        )
        if updated and run.execution_id is not None:
            others = QueryRun.objects.filter(
                execution_id=run.execution_id, status__in=ACTIVE_STATUSES
            ).exists()
            if not others:
                _cancel_execution(run.execution_id)
    run.refresh_from_db()
    return run


def _cancel_execution(execution_id: int) -> None:
    was_queued = finish_execution(
        execution_id,
        status=RunStatus.CANCELLED,
        error=None,
        expected_status=RunStatus.QUEUED,
    )
    if not was_queued:
        # running: the worker's watcher sees the flag and interrupts the engine
        Execution.objects.filter(pk=execution_id, status=RunStatus.RUNNING).update(
            cancel_requested=True
        )


def retry_run(run: QueryRun) -> QueryRun:
    """A new run of the same SQL and parameters (max_age 0: always fresh)."""
    return submit_run(
        run.user,
        datasource=run.datasource,
        sql=run.sql,
        origin=Origin(run.origin),
        parameters=run.parameters,
        saved_query=run.saved_query,
    )
