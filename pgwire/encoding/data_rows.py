"""DataRow messages for a whole record batch at once, built column-wise.

Each column is encoded into cells (text or binary, per the portal's result formats);
then per row the 7-byte DataRow header, and per cell a 4-byte length (-1 for NULL) and
the cell bytes are joined by one Arrow kernel. The joined array's data buffer is exactly
the bytes to send: no Python code runs per row or per value. Only batches of at most
TINY_BATCH_ROWS rows are joined in Python, where the kernels' fixed cost would dominate.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pgwire.encoding.binary import encode_binary
from pgwire.encoding.text import TextContext, encode_text, small_text_cells
from pgwire.encoding.value_arrays import fixed_width_cells
from pgwire.protocol.messages import FieldDescription, row_description
from pgwire.types.arrow import column_type
from pgwire.types.builtin import ColumnType

TARGET_CHUNK_BYTES = 4 * 1024 * 1024
MAX_CHUNK_ROWS = 65_536
TINY_BATCH_ROWS = 16  # a connection check, a lookup: built row by row in Python
_NULL_CELL = struct.pack("!i", -1)
_ROW_HEADER = np.dtype([("type", "S1"), ("length", ">i4"), ("columns", ">i2")])


@dataclass(frozen=True)
class ResultColumns:
    """How each column of a result is described and encoded."""

    names: tuple[str, ...]
    types: tuple[ColumnType, ...]
    formats: tuple[int, ...]

    def descriptions(self) -> list[FieldDescription]:
        return [
            FieldDescription(name, kind.pg_type.oid, kind.pg_type.typlen, kind.typmod, fmt)
            for name, kind, fmt in zip(self.names, self.types, self.formats, strict=True)
        ]

    @cached_property
    def row_description(self) -> bytes:
        """The RowDescription message (made once: a session reuses a statement's columns)."""
        return row_description(self.descriptions())


def result_columns(
    schema: pa.Schema, names: Sequence[str], formats: Sequence[int]
) -> ResultColumns:
    """Column types from `schema`, with the Bind message's format codes applied (none: all
    text; one: for every column; else one per column)."""
    count = len(schema)
    if not formats:
        chosen = (0,) * count
    elif len(formats) == 1:
        chosen = (formats[0],) * count
    else:
        chosen = tuple(formats)
    return ResultColumns(tuple(names), tuple(column_type(field) for field in schema), chosen)


def encode_rows(
    batch: pa.RecordBatch, columns: ResultColumns, context: TextContext
) -> Iterator[memoryview]:
    """The DataRow messages of `batch`, in chunks of a few megabytes."""
    if batch.num_rows == 0:
        return
    if batch.num_rows <= TINY_BATCH_ROWS:
        yield _encode_tiny(batch, columns, context)
        return
    step = _chunk_rows(batch)
    for start in range(0, batch.num_rows, step):
        yield _encode_chunk(batch.slice(start, step), columns, context)


def _chunk_rows(batch: pa.RecordBatch) -> int:
    per_row = max(1, int(batch.nbytes) // max(int(batch.num_rows), 1))
    return int(max(1, min(MAX_CHUNK_ROWS, TARGET_CHUNK_BYTES // per_row)))


def _encode_tiny(batch: pa.RecordBatch, columns: ResultColumns, context: TextContext) -> memoryview:
    """`_encode_chunk` for a handful of rows: the same cells, joined in Python."""
    cells_by_column = []
    for array, kind, fmt in zip(batch.columns, columns.types, columns.formats, strict=True):
        cells = None if fmt else small_text_cells(array, kind)
        if cells is None:
            encoded = encode_binary(array, kind) if fmt else encode_text(array, kind, context)
            cells = encoded.to_pylist()
        cells_by_column.append(cells)
    count = struct.pack("!h", len(cells_by_column))
    out = bytearray()
    for row in zip(*cells_by_column, strict=True):
        body = bytearray(count)
        for cell in row:
            body += _NULL_CELL if cell is None else struct.pack("!i", len(cell)) + cell
        out += b"D" + struct.pack("!i", len(body) + 4) + body
    return memoryview(out)


def _cell_sizes(cells: pa.Array) -> np.ndarray:
    """Byte length of each cell, -1 for NULL (the DataRow field length word)."""
    offsets = np.frombuffer(cells.buffers()[1], dtype=np.int32)
    bounds = offsets[cells.offset : cells.offset + len(cells) + 1].astype(np.int64)
    sizes = np.diff(bounds)
    if cells.null_count:
        sizes[~pc.is_valid(cells).to_numpy(zero_copy_only=False)] = -1
    return sizes


def _encode_chunk(
    batch: pa.RecordBatch, columns: ResultColumns, context: TextContext
) -> memoryview:
    count = batch.num_rows
    parts: list[pa.Array] = []
    row_lengths = np.full(count, 4 + 2, dtype=np.int64)
    for array, kind, fmt in zip(batch.columns, columns.types, columns.formats, strict=True):
        cells = encode_binary(array, kind) if fmt else encode_text(array, kind, context)
        sizes = _cell_sizes(cells)
        row_lengths += 4 + np.maximum(sizes, 0)
        prefix = sizes.astype(">i4")
        parts.append(fixed_width_cells(prefix.view(np.uint8), 4))
        parts.append(cells)
    header = np.empty(count, dtype=_ROW_HEADER)
    header["type"] = b"D"
    header["length"] = row_lengths
    header["columns"] = len(columns.types)
    header_cells = fixed_width_cells(header.view(np.uint8), 7)
    joined = pc.binary_join_element_wise(
        header_cells, *parts, b"", null_handling="replace", null_replacement=b""
    )
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32)
    start, end = int(offsets[joined.offset]), int(offsets[joined.offset + count])
    return memoryview(joined.buffers()[2])[start:end]
