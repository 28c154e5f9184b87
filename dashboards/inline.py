"""Governed statements run in the calling process, for the wire endpoint: a cached result
streams from the store; otherwise the engine's batches stream to the caller as they come
and are stored on the way (only a result read to its end is kept)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass

import pyarrow as pa

from connectors import open_connector
from connectors.errors import QueryCancelled, QueryTimeout
from dashboards.governance import ExecutionPlan
from dashboards.result_store import (
    Limits,
    find_fresh_result,
    open_dataset,
    tee_into_store,
)


@dataclass
class InlineResult:
    reader: pa.RecordBatchReader
    #: stops the engine (from any thread); a no-op for cached results
    cancel: Callable[[], None]
    #: releases the engine; call once, also after errors
    close: Callable[[], None]
    is_cached: bool


def open_inline_result(plan: ExecutionPlan, *, max_age_s: float) -> InlineResult:
    """Start streaming the plan's result. Engine errors surface while reading (as
    ConnectorError subclasses); the data source's timeout cancels the engine and reads
    then raise QueryTimeout."""
    if find_fresh_result(plan.fingerprint, max_age_s) is not None:
        dataset = open_dataset(plan.fingerprint)
        reader = pa.RecordBatchReader.from_batches(dataset.schema, dataset.to_batches())
        return InlineResult(reader, cancel=lambda: None, close=lambda: None, is_cached=True)
    connector = open_connector(plan.datasource.source_settings())
    timer = threading.Timer(plan.timeout_s, connector.cancel)
    try:
        source = connector.execute(plan.statement)
    except BaseException:
        connector.close()
        raise
    timer.daemon = True
    timer.start()
    limits = Limits(plan.max_rows, plan.max_bytes, plan.datasource.name)
    batches = _timed(tee_into_store(plan.fingerprint, source, limits), timer, plan)

    def close() -> None:
        timer.cancel()
        batches.close()
        connector.close()

    reader = pa.RecordBatchReader.from_batches(source.schema, batches)
    return InlineResult(reader, cancel=connector.cancel, close=close, is_cached=False)


def _timed(
    batches: Generator[pa.RecordBatch], timer: threading.Timer, plan: ExecutionPlan
) -> Generator[pa.RecordBatch]:
    try:
        yield from batches
    except QueryCancelled as error:
        if timer.finished.is_set() and not timer.is_alive():
            raise QueryTimeout(
                f"the query ran longer than {plan.timeout_s:g} s, the timeout of data source "
                f"{plan.datasource.name}"
            ) from error
        raise
    finally:
        timer.cancel()
        batches.close()
