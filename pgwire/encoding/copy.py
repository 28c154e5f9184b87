"""COPY … TO STDOUT data, a whole record batch at once: each column's text cells (the
same encoders as query results), escaped for the text or CSV format, joined into lines,
and each line framed as one CopyData message, as PostgreSQL sends them."""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pgwire.encoding.data_rows import ResultColumns
from pgwire.encoding.text import TextContext, encode_text
from pgwire.encoding.value_arrays import fixed_width_cells

_LINE_HEADER = np.dtype([("type", "S1"), ("length", ">i4")])
# what the text format writes as a backslash sequence, in the order replaced
_TEXT_ESCAPES = (("\\", "\\\\"), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))


@dataclass(frozen=True)
class CopyOptions:
    """COPY's output options, as PostgreSQL names them."""

    format: str = "text"  # text | csv | binary
    header: bool = False
    delimiter: str = "\t"  # "," for csv
    null: str = "\\N"  # "" for csv
    quote: str = '"'
    escape: str = '"'
    force_quote: tuple[str, ...] | None = None  # None: none; () with `*`: every column


def copy_out_response(column_count: int) -> bytes:
    """CopyOutResponse: text format overall and for every column."""
    body = struct.pack("!bh", 0, column_count) + b"\x00\x00" * column_count
    return b"H" + struct.pack("!i", len(body) + 4) + body


COPY_DONE = b"c\x00\x00\x00\x04"


def header_line(names: Sequence[str], options: CopyOptions) -> bytes:
    """The HEADER line: the column names, quoted or escaped like values."""
    cells = [
        _escaped(pa.array([name.encode()], pa.binary()), options, is_forced=False) for name in names
    ]
    return bytes(_framed(_lines(cells, options)))


def encode_copy_rows(
    batch: pa.RecordBatch, columns: ResultColumns, context: TextContext, options: CopyOptions
) -> Iterator[memoryview]:
    """One CopyData message per row of `batch`."""
    if batch.num_rows == 0:
        return
    cells = []
    for name, array, kind in zip(columns.names, batch.columns, columns.types, strict=True):
        is_forced = options.force_quote is not None and (
            not options.force_quote or name in options.force_quote
        )
        cells.append(_escaped(encode_text(array, kind, context), options, is_forced=is_forced))
    yield _framed(_lines(cells, options))


def _escaped(cells: pa.Array, options: CopyOptions, *, is_forced: bool) -> pa.Array:
    """Cells as COPY writes them; NULL as the null string."""
    null = options.null.encode()
    if options.format == "csv":
        quote, escape = options.quote.encode(), options.escape.encode()
        if is_forced:
            needs_quotes = pc.is_valid(cells)
        else:
            specials = re.escape(options.delimiter + options.quote) + r"\r\n"
            needs_quotes = pc.match_substring_regex(cells, f"[{specials}]")
            # a value written like the null string must not read back as NULL
            needs_quotes = pc.or_(needs_quotes, pc.equal(cells, null))
        inner = pc.replace_substring(cells, quote, escape + quote)
        quoted = pc.binary_join_element_wise(quote, inner, quote, b"")
        cells = pc.if_else(pc.fill_null(needs_quotes, False), quoted, cells)
    elif options.delimiter != "\t" or _has_text_escapes(cells):
        for raw, escaped in (*_TEXT_ESCAPES, (options.delimiter, "\\" + options.delimiter)):
            cells = pc.replace_substring(cells, raw.encode(), escaped.encode())
    return pc.fill_null(cells, null)


def _has_text_escapes(cells: pa.Array) -> bool:
    return bool(pc.any(pc.match_substring_regex(cells, r"[\\\n\r\t]")).as_py())


def _lines(cells: list[pa.Array], options: CopyOptions) -> pa.Array:
    values = pc.binary_join_element_wise(*cells, options.delimiter.encode())
    return pc.binary_join_element_wise(values, b"\n", b"")


def _framed(lines: pa.Array) -> memoryview:
    """Each line as a CopyData message."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    bounds = offsets[lines.offset : lines.offset + len(lines) + 1].astype(np.int64)
    header = np.empty(len(lines), dtype=_LINE_HEADER)
    header["type"] = b"d"
    header["length"] = np.diff(bounds) + 4
    joined = pc.binary_join_element_wise(fixed_width_cells(header.view(np.uint8), 5), lines, b"")
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32)
    start, end = int(offsets[joined.offset]), int(offsets[joined.offset + len(joined)])
    return memoryview(joined.buffers()[2])[start:end]
