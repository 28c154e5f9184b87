"""Running one execution on its engine, inside a worker: claim, run with a watcher that
beats the heart and turns cancel flags and timeouts into engine cancels, store the
result, and end every run attached to it."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.contrib.auth.models import User
from django.db import close_old_connections, connection, transaction
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils import timezone

from connectors import open_connector
from connectors.base import Connector
from connectors.errors import ConnectorError, QueryCancelled, QueryTimeout
from connectors.sql.parse import parse_statement
from connectors.sql.positions import map_position
from dashboards.models import Execution, QueryRun, RunStatus
from dashboards.models.queries import ACTIVE_STATUSES
from dashboards.pipeline.governance import dialect_of
from dashboards.pipeline.result_store import Limits, write_result

logger = logging.getLogger(__name__)

CANCEL_POLL_S = 0.2


def execute(execution_id: int) -> bool:
    """Run a queued execution to its end. Does nothing when another worker already
    claimed it, or it was cancelled or failed meanwhile. Returns False, leaving it queued,
    when the user who asked for it already has QUERY_MAX_RUNNING_PER_USER executions
    running: the caller queues it again for later, so other users' queries get the slot."""
    claim = _claim(execution_id)
    if claim is not Claim.TAKEN:
        return claim is Claim.GONE
    QueryRun.objects.filter(execution_id=execution_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING
    )
    execution = Execution.objects.select_related("datasource").get(pk=execution_id)
    datasource = execution.datasource
    dialect = dialect_of(datasource)
    connector = open_connector(datasource.source_settings())
    watcher = Watcher(execution_id, connector, execution.timeout_s)
    watcher.start()
    try:
        statement = parse_statement(execution.statement_sql, dialect)
        reader = connector.execute(statement, execution.statement_sql)
        limits = Limits(execution.max_rows, execution.max_bytes, datasource.name)
        write_result(execution.fingerprint, reader, limits)
    except ConnectorError as error:
        watcher.stop()
        _finish_with_error(execution, error, watcher)
    except Exception:
        # a bug must not leave the run "running" until the reaper finds it
        logger.exception("execution %s failed unexpectedly", execution_id)
        watcher.stop()
        internal = ConnectorError("the worker failed on this query (an internal error, logged)")
        finish_execution(execution_id, status=RunStatus.FAILED, error=internal, is_retryable=True)
    else:
        watcher.stop()
        finish_execution(execution_id, status=RunStatus.SUCCEEDED, error=None)
    finally:
        watcher.stop()
        connector.close()
    return True


class Claim(Enum):
    TAKEN = "taken"
    DEFERRED = "deferred"  # its user has as many executions running as they may
    GONE = "gone"  # another worker took it, or it ended


def _claim(execution_id: int) -> Claim:
    """Mark the execution running unless the user who asked for it first is at
    QUERY_MAX_RUNNING_PER_USER. The count and the claim are one UPDATE, under a lock of the
    user's row, so two workers never both start the same user's last allowed query."""
    submitter = (
        QueryRun.objects.filter(execution_id=execution_id)
        .order_by("created_at")
        .values_list("user_id", flat=True)
        .first()
    )
    if submitter is None:  # every run that asked for it is gone: nobody waits for it
        return Claim.GONE
    busy = (
        QueryRun.objects.filter(user_id=submitter, execution__status=RunStatus.RUNNING)
        .values("user_id")
        .annotate(executions=Count("execution_id", distinct=True))
        .values("executions")
    )
    now = timezone.now()
    with transaction.atomic():
        list(User.objects.select_for_update().filter(pk=submitter).values_list("pk"))
        claimed = (
            Execution.objects.filter(pk=execution_id, status=RunStatus.QUEUED)
            .filter(LessThan(Coalesce(Subquery(busy), 0), settings.QUERY_MAX_RUNNING_PER_USER))
            .update(status=RunStatus.RUNNING, started_at=now, heartbeat_at=now)
        )
    if claimed:
        return Claim.TAKEN
    if Execution.objects.filter(pk=execution_id, status=RunStatus.QUEUED).exists():
        return Claim.DEFERRED
    return Claim.GONE


def _finish_with_error(execution: Execution, error: ConnectorError, watcher: Watcher) -> None:
    if watcher.has_timed_out or isinstance(error, QueryTimeout):
        error = QueryTimeout(
            f"the query ran longer than {execution.timeout_s:g} s, the timeout of data source "
            f"{execution.datasource.name}"
        )
    elif isinstance(error, QueryCancelled) or watcher.is_cancelled:
        finish_execution(execution.pk, status=RunStatus.CANCELLED, error=None)
        return
    elif error.position is not None:
        executed_sql = execution.statement_sql
        error = error.with_position(map_position(executed_sql, error.position, execution.user_sql))
    finish_execution(execution.pk, status=RunStatus.FAILED, error=error)


def finish_execution(
    execution_id: int,
    *,
    status: RunStatus,
    error: ConnectorError | None,
    expected_status: str | None = None,
    is_retryable: bool | None = None,
) -> bool:
    """End the execution (releasing its single-flight claim) and every run still waiting
    on it. With `expected_status`, only when the execution is still in that status.
    Returns whether the execution was ended here."""
    now = timezone.now()
    with transaction.atomic():
        executions = Execution.objects.filter(pk=execution_id, status__in=ACTIVE_STATUSES)
        if expected_status is not None:
            executions = executions.filter(status=expected_status)
        if not executions.update(status=status, inflight_key=None, finished_at=now):
            return False
        for run in QueryRun.objects.filter(execution_id=execution_id, status__in=ACTIVE_STATUSES):
            run.status = status
            run.finished_at = now
            # a run may join in the instant after `now` was read
            run.duration_ms = max(0, int((now - run.created_at).total_seconds() * 1000))
            if error is not None:
                run.error_message = error.message
                run.error_position = error.position
                run.error_sqlstate = error.sqlstate
                run.is_retryable = error.retryable if is_retryable is None else is_retryable
            elif status == RunStatus.CANCELLED:
                run.error_message = "cancelled"
            run.save()
    return True


class Watcher(threading.Thread):
    """Beats the execution's heart and cancels the engine on a cancel flag or timeout."""

    def __init__(self, execution_id: int, connector: Connector, timeout_s: float) -> None:
        super().__init__(daemon=True, name=f"watch-execution-{execution_id}")
        self.execution_id = execution_id
        self.connector = connector
        self.deadline = time.monotonic() + timeout_s
        self.has_timed_out = False
        self.is_cancelled = False
        self._stopped = threading.Event()

    def stop(self) -> None:
        self._stopped.set()
        if self.is_alive() and threading.current_thread() is not self:
            self.join()

    def run(self) -> None:
        last_beat = time.monotonic()
        try:
            while not self._stopped.wait(CANCEL_POLL_S):
                now = time.monotonic()
                if now >= self.deadline:
                    self.has_timed_out = True
                    self._cancel_engine()
                    return
                if now - last_beat >= settings.HEARTBEAT_INTERVAL_S:
                    Execution.objects.filter(pk=self.execution_id).update(
                        heartbeat_at=timezone.now()
                    )
                    last_beat = now
                if Execution.objects.filter(pk=self.execution_id, cancel_requested=True).exists():
                    self.is_cancelled = True
                    self._cancel_engine()
                    return
        finally:
            connection.close()

    def _cancel_engine(self) -> None:
        try:
            self.connector.cancel()
        except ConnectorError:
            logger.exception("cancelling execution %s failed", self.execution_id)


def reap_stale_executions() -> int:
    """Fail executions whose worker died or that no worker picked up; returns how many."""
    close_old_connections()
    reaped = 0
    for execution in Execution.objects.filter(status__in=ACTIVE_STATUSES):
        if is_stale(execution):
            fail_lost_execution(execution)
            reaped += 1
    return reaped


def is_stale(execution: Execution) -> bool:
    now = timezone.now()
    if execution.status == RunStatus.RUNNING:
        last_sign = execution.heartbeat_at or execution.started_at or execution.created_at
        return last_sign < now - timedelta(seconds=settings.STALE_EXECUTION_S)
    return execution.created_at < now - timedelta(seconds=settings.QUEUED_EXECUTION_MAX_S)


def fail_lost_execution(execution: Execution) -> None:
    reason = (
        "the worker running this query stopped (worker lost); run it again"
        if execution.status == RunStatus.RUNNING
        else "no worker picked this query up in time; is a worker running?"
    )
    finish_execution(
        execution.pk,
        status=RunStatus.FAILED,
        error=ConnectorError(reason),
        expected_status=execution.status,
        is_retryable=True,
    )
