"""Runs as the editor sees them: the REST API's run body, plus the age of a cached result
and, once it succeeded, the first page of rows, so a cached run paints without another
round trip."""

from __future__ import annotations

from typing import Any

from dashboards.api.runs import run_out
from dashboards.models import QueryRun, ResultEntry, RunStatus
from dashboards.pipeline.downloads import table_rows
from dashboards.pipeline.result_store import ResultMissing, read_page

FIRST_PAGE_ROWS = 200


def run_payload(run: QueryRun, *, with_page: bool = True) -> dict[str, Any]:
    payload: dict[str, Any] = run_out(run).model_dump(mode="json")
    if run.status != RunStatus.SUCCEEDED:
        return payload
    entry = ResultEntry.objects.filter(pk=run.fingerprint).first()
    if entry is None:
        payload["status"] = "expired"
        payload["error"] = {"message": "the result is no longer stored; run the query again"}
        return payload
    payload["result_created_at"] = entry.created_at.isoformat()
    if with_page:
        try:
            page = read_page(run.fingerprint, offset=0, limit=FIRST_PAGE_ROWS)
        except ResultMissing:
            return payload
        payload["page"] = {
            "columns": entry.columns,
            "rows": table_rows(page),
            "row_count": entry.row_count,
            "offset": 0,
            "limit": FIRST_PAGE_ROWS,
        }
    return payload
