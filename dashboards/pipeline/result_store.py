"""Finished results as Arrow IPC files (lz4: reads ~4x faster than zstd for
1.6x the bytes), one per fingerprint, plus a metadata row.

Files are written under a temporary name and renamed into place only when complete, so a
full disk or a killed worker never leaves a truncated result where readers look. Readers
scan the file as an Arrow dataset, batch by batch: a 10M-row result is never loaded whole.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from connectors.errors import ConnectorError, LimitExceeded
from dashboards.models import ResultEntry


class ResultMissing(Exception):
    """The result's file is gone (evicted or never written); the query must run again."""


class StorageFailed(ConnectorError):
    """The result could not be written (a full disk, an I/O error); nothing was stored and
    running the query again may succeed once space is freed."""

    sqlstate = "58030"
    retryable = True

    @classmethod
    def of(cls, error: OSError) -> StorageFailed:
        reason = os.strerror(error.errno) if error.errno else str(error)
        failed = cls(f"the result could not be stored: {reason}")
        if error.errno == errno.ENOSPC:
            failed.sqlstate = "53100"
        return failed


@dataclass(frozen=True)
class Limits:
    max_rows: int
    max_bytes: int
    datasource: str


# a result claims room in the store's budget as it is written, in steps of this size (or a
# sixteenth of the budget, if smaller): one eviction check per step, not per batch
ROOM_STEP_BYTES = 32 * 1024**2


def result_path(fingerprint: str) -> Path:
    return settings.RESULTS_DIR / fingerprint[:2] / f"{fingerprint}.arrow"


def describe_columns(schema: pa.Schema) -> list[dict[str, str]]:
    return [{"name": field.name, "type": str(field.type)} for field in schema]


class ResultWriter:
    """Writes one result under a temporary name; `commit` renames it into place and
    records its metadata row, `discard` removes it. Exactly one of them ends it."""

    def __init__(self, fingerprint: str, schema: pa.Schema, limits: Limits) -> None:
        """Raises StorageFailed when the file cannot be created."""
        self.fingerprint = fingerprint
        self.schema = schema
        self.limits = limits
        self.path = result_path(fingerprint)
        self.partial = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}.partial")
        self.rows = 0
        self.in_memory_bytes = 0
        self._room_bytes = 0  # what make_room has already cleared for this file
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._sink = pa.OSFile(str(self.partial), "wb")
            options = pa.ipc.IpcWriteOptions(compression="lz4")
            self._writer = pa.ipc.new_file(self._sink, schema, options=options)
        except OSError as error:
            raise StorageFailed.of(error) from error

    def write(self, batch: pa.RecordBatch) -> None:
        """Raises LimitExceeded (naming the limit) past the data source's rows or bytes,
        StorageFailed when the disk refuses the bytes."""
        self.rows += batch.num_rows
        self.in_memory_bytes += batch.nbytes
        _check_limits(self.rows, self.in_memory_bytes, self.limits)
        try:
            self._writer.write_batch(batch)
            written = self._sink.tell()
        except OSError as error:
            raise StorageFailed.of(error) from error
        if written > self._room_bytes:
            self._claim_room(written + min(ROOM_STEP_BYTES, settings.RESULTS_MAX_BYTES // 16))

    def _claim_room(self, size_bytes: int) -> None:
        """Raises LimitExceeded when the store cannot hold `size_bytes` for this result."""
        if not make_room(size_bytes):
            raise LimitExceeded(
                f"the result is larger than the result store ({settings.RESULTS_MAX_BYTES:,} "
                "bytes, RESULTS_MAX_BYTES); select fewer columns or rows"
            )
        self._room_bytes = size_bytes

    def commit(self) -> ResultEntry:
        """Put the file in place and record it; raises StorageFailed like `write`."""
        try:
            self._writer.close()
            self._sink.close()
            with open(self.partial, "rb") as written:
                os.fsync(written.fileno())
            os.replace(self.partial, self.path)
        except OSError as error:
            raise StorageFailed.of(error) from error
        now = timezone.now()
        entry, _ = ResultEntry.objects.update_or_create(
            fingerprint=self.fingerprint,
            defaults={
                "datasource": self.limits.datasource,
                "columns": describe_columns(self.schema),
                "row_count": self.rows,
                "byte_count": self.path.stat().st_size,
                "created_at": now,
                "last_used_at": now,
                "expires_at": now + timedelta(seconds=settings.RESULT_TTL_S),
            },
        )
        return entry

    def discard(self) -> None:
        if not self._sink.closed:
            with contextlib.suppress(OSError):  # a full disk may refuse even the last flush
                self._sink.close()
        self.partial.unlink(missing_ok=True)


def write_result(fingerprint: str, reader: pa.RecordBatchReader, limits: Limits) -> ResultEntry:
    """Drain `reader` into the store and return its metadata row. Nothing is stored when
    reading fails or a limit is exceeded (LimitExceeded)."""
    writer = ResultWriter(fingerprint, reader.schema, limits)
    try:
        for batch in reader:
            writer.write(batch)
        return writer.commit()
    finally:
        writer.discard()


def tee_into_store(
    fingerprint: str, reader: pa.RecordBatchReader, limits: Limits
) -> Generator[pa.RecordBatch]:
    """Yield `reader`'s batches while storing them; the result is stored only when the
    caller read it to the end (a half-read result is discarded)."""
    writer = ResultWriter(fingerprint, reader.schema, limits)
    try:
        for batch in reader:
            writer.write(batch)
            yield batch
        writer.commit()
    finally:
        writer.discard()


def _check_limits(rows: int, size_bytes: int, limits: Limits) -> None:
    if rows > limits.max_rows:
        raise LimitExceeded(
            f"the result has more than {limits.max_rows:,} rows, the max_rows limit of "
            f"data source {limits.datasource}; add a LIMIT or aggregate"
        )
    if size_bytes > limits.max_bytes:
        raise LimitExceeded(
            f"the result is larger than {limits.max_bytes:,} bytes, the max_bytes limit of "
            f"data source {limits.datasource}; select fewer columns or rows"
        )


def find_fresh_result(fingerprint: str, max_age_s: float) -> ResultEntry | None:
    """The stored result for `fingerprint` if it is younger than `max_age_s` and its file
    is still there; marks it used."""
    if max_age_s <= 0:
        return None
    now = timezone.now()
    entry = ResultEntry.objects.filter(
        fingerprint=fingerprint,
        created_at__gte=now - timedelta(seconds=max_age_s),
        expires_at__gt=now,
    ).first()
    if entry is None or not result_path(fingerprint).exists():
        return None
    ResultEntry.objects.filter(pk=fingerprint).update(last_used_at=now)
    return entry


def open_dataset(fingerprint: str) -> ds.Dataset:
    """The result as an Arrow dataset; raises ResultMissing when it is gone or damaged."""
    path = result_path(fingerprint)
    if not path.exists():
        raise ResultMissing(f"result {fingerprint} is no longer stored; run the query again")
    with _reading(fingerprint):
        return ds.dataset(str(path), format="ipc")


def iter_batches(fingerprint: str) -> Iterator[pa.RecordBatch]:
    with _reading(fingerprint):
        yield from open_dataset(fingerprint).to_batches()


def result_schema(fingerprint: str) -> pa.Schema:
    return open_dataset(fingerprint).schema


@contextlib.contextmanager
def _reading(fingerprint: str) -> Iterator[None]:
    """A file that fails to read (damaged on disk) is forgotten, so the next run of its
    query computes it afresh instead of failing on it until it expires."""
    try:
        yield
    except (pa.ArrowException, duckdb.Error, OSError) as error:
        forget_results([fingerprint])
        raise ResultMissing(
            f"result {fingerprint} was damaged and has been discarded; run the query again"
        ) from error


def forget_results(fingerprints: list[str]) -> None:
    """Delete these results' files and metadata rows."""
    for fingerprint in fingerprints:
        result_path(fingerprint).unlink(missing_ok=True)
    ResultEntry.objects.filter(pk__in=fingerprints).delete()


@functools.cache
def _reader_database(pid: int) -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process (keyed by pid, so a forked child opens its own)
    for reading results: opening a database costs ~10 ms, a cursor on it well under one."""
    return duckdb.connect(":memory:", config={"enable_external_access": False})


def open_result_connection(fingerprint: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection of its own where the result is the view `result`; close it."""
    con = _reader_database(os.getpid()).cursor()
    con.register("result", open_dataset(fingerprint))
    return con


def read_page(
    fingerprint: str, *, offset: int, limit: int, order_by: list[tuple[str, bool]] | None = None
) -> pa.Table:
    """Rows [offset, offset+limit) of the result, sorted by (column, is_descending) pairs
    in DuckDB; raises KeyError for an unknown sort column."""
    con = open_result_connection(fingerprint)
    try:
        names = set(result_schema(fingerprint).names)
        order_sql = ""
        if order_by:
            terms = []
            for column, is_descending in order_by:
                if column not in names:
                    raise KeyError(column)
                quoted = '"' + column.replace('"', '""') + '"'
                terms.append(f"{quoted} {'DESC' if is_descending else 'ASC'} NULLS LAST")
            order_sql = " ORDER BY " + ", ".join(terms)
        sql = f"SELECT * FROM result{order_sql} LIMIT ? OFFSET ?"
        with _reading(fingerprint):
            return con.sql(sql, params=[limit, offset]).to_arrow_table()
    finally:
        con.close()


def evict_results() -> int:
    """Delete expired results, then the least recently used ones while the store is over
    RESULTS_MAX_BYTES. Returns how many were deleted."""
    expired = list(
        ResultEntry.objects.filter(expires_at__lte=timezone.now()).values_list("pk", flat=True)
    )
    forget_results(expired)
    return len(expired) + _evict_down_to(settings.RESULTS_MAX_BYTES)


def make_room(size_bytes: int) -> bool:
    """Evict least recently used results until `size_bytes` more fit in RESULTS_MAX_BYTES;
    False when they cannot fit even in an empty store."""
    if size_bytes > settings.RESULTS_MAX_BYTES:
        return False
    _evict_down_to(settings.RESULTS_MAX_BYTES - size_bytes)
    return True


def _evict_down_to(budget_bytes: int) -> int:
    """Forget least recently used results until the store holds at most `budget_bytes`."""
    total = ResultEntry.objects.aggregate(s=Sum("byte_count"))["s"] or 0
    doomed: list[str] = []
    if total > budget_bytes:
        for fingerprint, size in ResultEntry.objects.order_by("last_used_at").values_list(
            "pk", "byte_count"
        ):
            doomed.append(fingerprint)
            total -= size
            if total <= budget_bytes:
                break
    forget_results(doomed)
    return len(doomed)
