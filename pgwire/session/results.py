"""Results being streamed to a client: batches from the engine (or a table the catalog or
a session command produced), handed out a given number of rows at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pyarrow as pa

from pgwire.encoding.data_rows import ResultColumns, result_columns


class OpenResult:
    """A result whose rows are handed out by `take()` until exhausted; `close()` releases
    the engine side (idempotent)."""

    def __init__(
        self,
        schema: pa.Schema,
        names: Sequence[str],
        batches: Iterator[pa.RecordBatch],
        close: Callable[[], None] = lambda: None,
    ) -> None:
        self.schema = schema
        self.names = list(names)
        self._batches = batches
        self._pending: pa.RecordBatch | None = None
        self._close = close
        self.is_exhausted = False
        self.rows_taken = 0
        self.is_cached = False  # answered from the result cache, not the engine

    @classmethod
    def empty(cls) -> OpenResult:
        """The result of a statement that returns no rows (a command)."""
        return cls(pa.schema([]), [], iter(()))

    def read_all(self) -> pa.Table:
        """Every remaining row as one table (for small results only)."""
        batches = list(self.take(None))
        return pa.Table.from_batches(batches, schema=self.schema).rename_columns(self.names)

    @classmethod
    def from_table(cls, table: pa.Table, names: Sequence[str] | None = None) -> OpenResult:
        return cls(table.schema, names or table.column_names, iter(table.to_batches()))

    @classmethod
    def from_reader(
        cls,
        reader: pa.RecordBatchReader,
        schema: pa.Schema,
        names: Sequence[str],
        close: Callable[[], None],
    ) -> OpenResult:
        """`schema` is the reader's, possibly with PostgreSQL type metadata added."""
        return cls(schema, names, _read_all(reader), close)

    def columns(self, formats: Sequence[int]) -> ResultColumns:
        return result_columns(self.schema, self.names, formats)

    def take(self, max_rows: int | None) -> Iterator[pa.RecordBatch]:
        """Yield batches holding at most `max_rows` rows in total (all when None); the rest
        stays for the next call. Sets `is_exhausted` once the source ran dry — like
        PostgreSQL, not when exactly `max_rows` rows happened to be left."""
        remaining = max_rows
        while remaining is None or remaining > 0:
            batch = self._next_batch()
            if batch is None:
                self.is_exhausted = True
                self.close()
                return
            if remaining is not None and batch.num_rows > remaining:
                self._pending = batch.slice(remaining)
                batch = batch.slice(0, remaining)
            if remaining is not None:
                remaining -= batch.num_rows
            self.rows_taken += batch.num_rows
            yield batch

    def _next_batch(self) -> pa.RecordBatch | None:
        if self._pending is not None:
            batch, self._pending = self._pending, None
            return batch
        for batch in self._batches:
            if batch.num_rows:
                return batch
        return None

    def close(self) -> None:
        close, self._close = self._close, lambda: None
        close()


def _read_all(reader: pa.RecordBatchReader) -> Iterator[pa.RecordBatch]:
    while True:
        try:
            yield reader.read_next_batch()
        except StopIteration:
            return
