"""Editor drafts: the unsaved text of the editor, kept per user and editor (`new`, or
`query-<id>` for a saved query), so it survives a reload, a crash and a second tab."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from dashboards.api.errors import not_found
from dashboards.identity.access import acting_user, get_saved_queries_for_user
from dashboards.library.drafts import save_draft

router = Router(tags=["drafts"])

_DRAFT_KEY = re.compile(r"^(new|query-(\d+))$")


class DraftIn(Schema):
    sql: str
    datasource: str = ""
    parameters: list[dict[str, Any]] = []


class DraftOut(Schema):
    updated_at: datetime


@router.put("/{key}", response=DraftOut)
def put_draft(request: HttpRequest, key: str, body: DraftIn) -> DraftOut:
    """Store the draft (last write wins)."""
    match = _DRAFT_KEY.match(key)
    if match is None:
        raise HttpError(400, f"unknown draft key {key}: new or query-<id>")
    query_id = match.group(2)
    if query_id and not get_saved_queries_for_user(request.user).filter(pk=int(query_id)).exists():
        raise not_found(f"query {query_id}")
    try:
        draft = save_draft(
            acting_user(request),
            key=key,
            sql=body.sql,
            datasource=body.datasource,
            parameters=body.parameters,
        )
    except ValueError as error:
        raise HttpError(400, str(error)) from error
    return DraftOut(updated_at=draft.updated_at)
