"""Downloads of a stored result in every format, with their contents checked."""

from __future__ import annotations

import datetime as dt
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import load_workbook

RESULT = pa.table(
    {
        "id": pa.array([1, 2, None], pa.int64()),
        "name": ["a", '=HYPERLINK("x")', None],
        "at": pa.array(
            [dt.datetime(2024, 1, 1, 12, 30, tzinfo=dt.UTC), None, dt.datetime(2024, 2, 1)],
            pa.timestamp("us", tz="UTC"),
        ),
        "tags": pa.array([["x", "y"], [], None], pa.list_(pa.string())),
    }
)


def download(client, run, fmt: str) -> bytes:  # type: ignore[no-untyped-def]
    response = client.get(f"/runs/{run.pk}/download/{fmt}")
    assert response.status_code == 200, response.content
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content)


def test_csv_parquet_json_and_excel_hold_the_result(analyst_web, finished_run) -> None:  # type: ignore[no-untyped-def]
    run = finished_run(RESULT)
    csv_lines = download(analyst_web, run, "csv").decode().splitlines()
    assert csv_lines[0] == '"id","name","at","tags"'
    assert csv_lines[1].endswith(',"[""x"", ""y""]"')
    assert pq.read_table(io.BytesIO(download(analyst_web, run, "parquet"))).equals(RESULT)
    rows = json.loads(download(analyst_web, run, "json"))
    assert rows[0] == {"id": 1, "name": "a", "at": "2024-01-01T12:30:00+00:00", "tags": ["x", "y"]}
    assert rows[2]["id"] is None and len(rows) == 3
    sheet = load_workbook(io.BytesIO(download(analyst_web, run, "xlsx"))).active
    values = list(sheet.values)
    assert values[0] == ("id", "name", "at", "tags")
    assert values[1] == (1, "a", dt.datetime(2024, 1, 1, 12, 30), '["x", "y"]')
    assert values[2][1] == '=HYPERLINK("x")'  # stays text, never becomes a formula
    assert sheet.cell(row=3, column=2).data_type == "s"


def test_excel_stops_at_its_row_limit(analyst_web, finished_run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("dashboards.pipeline.downloads.XLSX_MAX_ROWS", 5)
    run = finished_run(pa.table({"i": list(range(12))}), fingerprint="e" * 64)
    book = load_workbook(io.BytesIO(download(analyst_web, run, "xlsx")))
    assert book["result"].max_row == 6
    assert "first 5 rows" in book["note"]["A1"].value


def test_other_users_and_unknown_formats_get_nothing(admin, finished_run) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth.models import User
    from django.test import Client

    run = finished_run(RESULT)
    stranger = Client()
    stranger.force_login(User.objects.create_user("sam_stranger", password="x-password-1"))
    assert stranger.get(f"/runs/{run.pk}/download/csv").status_code == 404
    owner = Client()
    owner.force_login(run.user)
    assert owner.get(f"/runs/{run.pk}/download/exe").status_code == 404
    assert Client().get(f"/runs/{run.pk}/download/csv").status_code == 302  # to the login page
