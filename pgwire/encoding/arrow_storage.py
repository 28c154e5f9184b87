"""Arrow storage clean-up shared by both encoders: dictionary columns decoded, extension
types unwrapped, and DuckDB's opaque HUGEINT turned into a decimal."""

from __future__ import annotations

import pyarrow as pa


def plain_array(array: pa.Array) -> pa.Array:
    """`array` with dictionary encoding and extension wrappers removed (UUID extension
    arrays keep their 16-byte storage)."""
    if isinstance(array.type, pa.ExtensionType):
        if getattr(array.type, "type_name", "") == "hugeint":
            return _hugeint_to_decimal(array.storage)
        array = array.storage
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    return array


def _hugeint_to_decimal(storage: pa.Array) -> pa.Array:
    values = [
        None if raw is None else int.from_bytes(raw, "little", signed=True)
        for raw in storage.to_pylist()
    ]
    return pa.array(values, pa.decimal128(38, 0))
