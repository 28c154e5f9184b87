"""Result pages as JSON-ready rows, and whole results streamed as CSV, Parquet, Arrow, JSON
or Excel."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import math
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from dashboards.pipeline.result_store import iter_batches, result_schema


def json_value(value: Any) -> Any:
    """A value of an Arrow result as JSON can carry it, readably."""
    converter = _JSON_CONVERTERS.get(type(value))
    if converter is not None:
        return converter(value)
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def _float(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


def _interval(value: Any) -> str:
    return str(value)


_JSON_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    float: _float,
    decimal.Decimal: lambda v: float(v) if v.is_finite() else str(v),
    dt.datetime: lambda v: v.isoformat(),
    dt.date: lambda v: v.isoformat(),
    dt.time: lambda v: v.isoformat(),
    dt.timedelta: lambda v: str(v),
    bytes: lambda v: base64.b64encode(v).decode(),
    uuid.UUID: str,
    pa.MonthDayNano: _interval,
}


def table_rows(table: pa.Table) -> list[list[Any]]:
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    return [[json_value(column[r]) for column in columns] for r in range(table.num_rows)]


def streaming_response(
    request: HttpRequest, chunks: Iterator[bytes], content_type: str
) -> StreamingHttpResponse:
    """Stream `chunks` without buffering them: under ASGI Django would otherwise collect a
    synchronous iterator into one list in memory, so there each chunk is pulled in a
    worker thread from an async iterator."""
    if not isinstance(request, ASGIRequest):
        return StreamingHttpResponse(chunks, content_type=content_type)
    return StreamingHttpResponse(_pull_async(chunks), content_type=content_type)


async def _pull_async(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    def next_chunk() -> bytes | None:
        return next(chunks, None)

    pull = sync_to_async(next_chunk, thread_sensitive=False)
    while (chunk := await pull()) is not None:
        yield chunk


def stream_csv(fingerprint: str) -> Iterator[bytes]:
    """CSV with a header; nested values (lists, structs, maps) as JSON text in their cell,
    because Arrow's CSV writer has no text form for them."""
    schema = _csv_schema(result_schema(fingerprint))
    options_with_header = pa_csv.WriteOptions(include_header=True)
    options = pa_csv.WriteOptions(include_header=False)
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(pa.Table.from_batches([], schema=schema), sink, options_with_header)
    yield sink.getvalue().to_pybytes()
    for batch in iter_batches(fingerprint):
        sink = pa.BufferOutputStream()
        pa_csv.write_csv(_csv_batch(batch), sink, options)
        yield sink.getvalue().to_pybytes()


def _is_nested(field: pa.Field) -> bool:
    return bool(pa.types.is_nested(field.type))


def _csv_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, pa.string()) if _is_nested(f) else f for f in schema])


def _csv_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    if not any(_is_nested(field) for field in batch.schema):
        return batch
    columns = [
        pa.array(
            [None if v is None else json.dumps(json_value(v)) for v in column.to_pylist()],
            pa.string(),
        )
        if _is_nested(field)
        else column
        for field, column in zip(batch.schema, batch.columns, strict=True)
    ]
    return pa.RecordBatch.from_arrays(columns, schema=_csv_schema(batch.schema))


class _ChunkSink:
    """A write-only file object whose writes are collected and handed out as chunks."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def stream_parquet(fingerprint: str) -> Iterator[bytes]:
    sink = _ChunkSink()
    with pq.ParquetWriter(pa.PythonFile(sink, mode="w"), result_schema(fingerprint)) as writer:
        for batch in iter_batches(fingerprint):
            writer.write_batch(batch)
            yield sink.take()
    yield sink.take()


def stream_arrow(fingerprint: str) -> Iterator[bytes]:
    sink = _ChunkSink()
    with pa.ipc.new_stream(pa.PythonFile(sink, mode="w"), result_schema(fingerprint)) as writer:
        for batch in iter_batches(fingerprint):
            writer.write_batch(batch)
            yield sink.take()
    yield sink.take()


def stream_json(fingerprint: str) -> Iterator[bytes]:
    """A JSON array with one object per row, written batch by batch."""
    names = result_schema(fingerprint).names
    yield b"["
    separator = b"\n"
    for batch in iter_batches(fingerprint):
        for row in table_rows(pa.Table.from_batches([batch])):
            yield separator + json.dumps(dict(zip(names, row, strict=True))).encode()
            separator = b",\n"
    yield b"\n]\n"


#: Excel's sheet holds 1,048,576 rows, one of which is the header
XLSX_MAX_ROWS = 1_048_575
_CHUNK_BYTES = 1024 * 1024


def stream_xlsx(fingerprint: str) -> Iterator[bytes]:
    """The result as one sheet (cut at Excel's row limit, with a note sheet saying so).
    The workbook is built in a temporary file, because the format is a zip written at the
    end, then streamed from it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("result")
    sheet.append(result_schema(fingerprint).names)
    rows = 0
    is_cut = False
    for batch in iter_batches(fingerprint):
        for row in batch.to_pylist():
            if rows == XLSX_MAX_ROWS:
                is_cut = True
                break
            sheet.append([_xlsx_cell(sheet, value) for value in row.values()])
            rows += 1
        if is_cut:
            break
    if is_cut:
        workbook.create_sheet("note").append(
            [f"Only the first {XLSX_MAX_ROWS:,} rows fit in Excel; download CSV or Parquet."]
        )
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(_CHUNK_BYTES):
            yield chunk


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | decimal.Decimal | dt.date):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)  # Excel has no time zones
        return value
    text = value if isinstance(value, str) else json.dumps(json_value(value))
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"  # text starting with "=" stays text, never a formula
    return cell


STREAMS: dict[str, tuple[Callable[[str], Iterator[bytes]], str, str]] = {
    "csv": (stream_csv, "text/csv; charset=utf-8", "csv"),
    "parquet": (stream_parquet, "application/vnd.apache.parquet", "parquet"),
    "arrow": (stream_arrow, "application/vnd.apache.arrow.stream", "arrows"),
    "json": (stream_json, "application/json", "json"),
    "xlsx": (
        stream_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
}
