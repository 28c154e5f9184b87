"""The result store's budget (RESULTS_MAX_BYTES) holds as results are written: older
results make room, and a result that cannot fit fails its write and leaves nothing."""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pytest

from connectors.errors import LimitExceeded
from dashboards.models import ResultEntry
from dashboards.pipeline.result_store import Limits, result_path, write_result

pytestmark = pytest.mark.django_db

LIMITS = Limits(max_rows=10_000_000, max_bytes=10**12, datasource="shop")


def digests(rows: int, seed: str) -> pa.RecordBatchReader:
    """`rows` rows of 64 hex characters, which lz4 cannot shrink much."""
    hexes = [hashlib.sha256(f"{seed}{i}".encode()).hexdigest() for i in range(rows)]
    table = pa.table({"h": hexes})
    return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(10_000))


@pytest.fixture
def small_store(settings, tmp_path):
    settings.RESULTS_DIR = tmp_path
    settings.RESULTS_MAX_BYTES = 8 * 1024**2
    return tmp_path


def test_older_results_make_room_for_a_new_one(small_store) -> None:
    for name in ("old", "older"):
        write_result(name * 8, digests(50_000, name), LIMITS)  # ~3.3 MB each
    ResultEntry.objects.filter(pk="older" * 8).update(last_used_at="2000-01-01T00:00Z")

    write_result("new" * 8, digests(50_000, "new"), LIMITS)

    assert sorted(ResultEntry.objects.values_list("pk", flat=True)) == ["new" * 8, "old" * 8]
    assert not result_path("older" * 8).exists()


def test_a_result_larger_than_the_store_fails_and_leaves_nothing(small_store) -> None:
    write_result("kept" * 8, digests(1_000, "kept"), LIMITS)

    with pytest.raises(LimitExceeded, match="larger than the result store"):
        write_result("huge" * 8, digests(400_000, "huge"), LIMITS)  # ~26 MB

    assert not ResultEntry.objects.filter(pk="huge" * 8).exists()
    assert [path.name for path in small_store.rglob("*") if path.is_file()] == [
        f"{'kept' * 8}.arrow"
    ]
