"""Helpers shared by the text and binary encoders: a column's encoded values ("cells") are
an Arrow binary array with one value per row and nulls where the column is NULL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def validity_buffer(array: pa.Array) -> pa.Buffer | None:
    """A fresh validity bitmap starting at bit 0, or None when nothing is NULL."""
    if array.null_count == 0:
        return None
    return pc.is_valid(array).buffers()[1]


def fixed_width_cells(data: np.ndarray, width: int, nulls_from: pa.Array | None = None) -> pa.Array:
    """Binary cells of `width` bytes each from a contiguous numpy buffer; NULL where
    `nulls_from` (an array of the same length) is NULL."""
    count = len(data) // width
    offsets = np.arange(0, (count + 1) * width, width, dtype=np.int32)
    validity = validity_buffer(nulls_from) if nulls_from is not None else None
    return pa.Array.from_buffers(
        pa.binary(),
        count,
        [validity, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data))],
    )


def as_binary(array: pa.Array) -> pa.Array:
    """Text or bytes of any Arrow flavour as a plain `binary` array (same bytes)."""
    if pa.types.is_binary(array.type):
        return array
    if pa.types.is_string(array.type):
        return array.view(pa.binary())
    return pc.cast(array, pa.binary())


def value_buffers(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets rebased to 0, data bytes) of a `binary` array."""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[
        array.offset : array.offset + len(array) + 1
    ]
    buffer = array.buffers()[2]
    data = np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else np.zeros(0, np.uint8)
    start = int(offsets[0]) if len(offsets) else 0
    return offsets - start, data[start : int(offsets[-1]) if len(offsets) else 0]


def per_value(
    array: pa.Array, encode: Callable[[Any], bytes], values: Sequence[Any] | None = None
) -> pa.Array:
    """Cells built by calling `encode` on each non-NULL Python value: the slow path for
    rare types, never used for the common scalar types."""
    items = array.to_pylist() if values is None else values
    return pa.array([None if item is None else encode(item) for item in items], pa.binary())
