"""The editor page: the SQL editor, schema browser, parameters and results island. What
it runs, formats, saves and autosaves goes through the JSON API."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dashboards.identity.access import (
    acting_user,
    can_edit_saved_query,
    get_datasources_for_user,
    get_run_for_user,
    get_runs_for_user,
    get_saved_queries_for_user,
)
from dashboards.library.drafts import draft_key, get_draft
from dashboards.models import QueryRun, RunStatus, SavedQuery
from dashboards.pipeline.governance import dialect_of

FIRST_PAGE_ROWS = 200


def query_state(query: SavedQuery, user: Any) -> dict[str, Any]:
    """The saved query as the island starts from (after a save it reads the API's answer)."""
    latest = query.versions.first()
    return {
        "id": query.pk,
        "name": query.name,
        "description": query.description,
        "sql": query.sql,
        "datasource": query.datasource.name,
        "parameters": query.parameters,
        "tags": sorted(query.tags.values_list("name", flat=True)),
        "owner": query.owner.get_username(),
        "can_edit": can_edit_saved_query(user, query),
        "version": latest.number if latest else 0,
    }


def _editor_urls() -> dict[str, str]:
    """Page URLs the island links to, and the API routes it calls (`__id__` and the like
    are filled in by the island)."""
    return {
        "query": reverse("workspace:query", args=[0]).replace("/0/", "/__id__/"),
        "download": reverse("workspace:download", args=[UUID(int=0), "fmt"])
        .replace(str(UUID(int=0)), "__id__")
        .replace("/fmt", "/__fmt__"),
        "visualize": reverse("boards:viz_new"),
        "runs": "/api/runs",
        "run": "/api/runs/__id__",
        "cancel": "/api/runs/__id__/cancel",
        "result": "/api/runs/__id__/result",
        "format": "/api/sql/format",
        "draft": "/api/drafts/__key__",
        "queries": "/api/queries",
        "saved_query": "/api/queries/__id__",
        "options": "/api/queries/__id__/options",
        "catalog": "/api/datasources/__name__/schema",
    }


def _run_state(run: QueryRun) -> dict[str, Any]:
    """What the editor shows of a reopened run before it asks the API for the run itself."""
    return {
        "id": str(run.pk),
        "sql": run.sql,
        "datasource": run.datasource.name,
        "parameters": run.parameters,
    }


def _reopened_run(request: HttpRequest, query: SavedQuery | None) -> QueryRun | None:
    """The run named by ?reopen= (from the history) or ?run=, else (for a saved query
    opened without parameter values) the user's latest successful run of it."""
    run_id = request.GET.get("reopen") or request.GET.get("run")
    if run_id:
        try:
            return get_run_for_user(request.user, run_id)
        except (QueryRun.DoesNotExist, ValidationError):
            return None
    if query is None or any(key.startswith("p_") for key in request.GET):
        return None
    return (
        get_runs_for_user(acting_user(request))
        .filter(saved_query=query, status=RunStatus.SUCCEEDED)
        .order_by("-created_at")
        .first()
    )


def _render_editor(request: HttpRequest, query: SavedQuery | None) -> HttpResponse:
    datasources = list(get_datasources_for_user(request.user))
    draft = get_draft(acting_user(request), draft_key(query.pk if query else None))
    run = _reopened_run(request, query)
    default_source = request.GET.get("datasource") or (datasources[0].name if datasources else "")
    state = {
        "user": request.user.get_username(),
        "query": query_state(query, request.user) if query else None,
        "draft_key": draft_key(query.pk if query else None),
        "draft": None
        if draft is None
        else {
            "sql": draft.sql,
            "datasource": draft.datasource,
            "parameters": draft.parameters,
            "updated_at": draft.updated_at.isoformat(),
        },
        "datasource": query.datasource.name if query else default_source,
        "datasources": [
            {"name": d.name, "engine": d.engine, "dialect": dialect_of(d)} for d in datasources
        ],
        "run": _run_state(run) if run else None,
        "queries": list(get_saved_queries_for_user(request.user).values("id", "name")[:500]),
        "urls": _editor_urls(),
        "result_ttl_s": settings.RESULT_TTL_S,
        "first_page_rows": FIRST_PAGE_ROWS,
    }
    context = {"state": state, "query": query, "datasources": datasources, "nav": "editor"}
    return render(request, "workspace/editor.html", context)


@login_required
@require_GET
def new_query(request: HttpRequest) -> HttpResponse:
    return _render_editor(request, None)


@login_required
@require_GET
def saved_query(request: HttpRequest, query_id: int) -> HttpResponse:
    try:
        query = get_saved_queries_for_user(request.user).get(pk=query_id)
    except SavedQuery.DoesNotExist as error:
        raise Http404(f"no query {query_id}") from error
    return _render_editor(request, query)
