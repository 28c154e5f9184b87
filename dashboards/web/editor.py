"""The editor page and its fetch() endpoints: run, format and draft autosave."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from connectors.errors import SqlSyntaxError
from connectors.sql.params import find_parameters
from dashboards.identity.access import (
    can_edit_saved_query,
    get_datasource_for_user,
    get_datasources_for_user,
    get_run_for_user,
    get_runs_for_user,
    get_saved_queries_for_user,
)
from dashboards.library.drafts import draft_key, get_draft, save_draft
from dashboards.library.formatting import format_sql
from dashboards.models import DataSource, QueryRun, RunStatus, SavedQuery
from dashboards.pipeline.governance import Origin, dialect_of
from dashboards.pipeline.runs import submit_run
from dashboards.web.jsonio import BadRequest, json_error, read_json, text_field
from dashboards.web.runs import run_payload
from dashboards.web.users import acting_user

_DRAFT_KEY = re.compile(r"^(new|query-(\d+))$")


def query_payload(query: SavedQuery, user: Any) -> dict[str, Any]:
    latest = query.versions.first()
    return {
        "id": query.pk,
        "name": query.name,
        "description": query.description,
        "sql": query.sql,
        "datasource": query.datasource.name,
        "parameters": query.parameters,
        "tags": list(query.tags.values_list("name", flat=True)),
        "owner": query.owner.get_username(),
        "can_edit": can_edit_saved_query(user, query),
        "version": latest.number if latest else 0,
        "url": reverse("web:query", args=[query.pk]),
    }


def _editor_urls() -> dict[str, str]:
    return {
        "run": reverse("web:editor_run"),
        "format": reverse("web:editor_format"),
        "draft": reverse("web:editor_draft"),
        "save": reverse("web:query_save"),
        "catalog": reverse("web:catalog", args=["__name__"]),
        "options": reverse("web:query_options", args=[0]).replace("/0/", "/__id__/"),
        "download": reverse("web:download", args=[UUID(int=0), "fmt"])
        .replace(str(UUID(int=0)), "__id__")
        .replace("/fmt", "/__fmt__"),
        "api_run": "/api/runs/__id__",
        "cancel": "/api/runs/__id__/cancel",
        "result": "/api/runs/__id__/result",
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
        "query": query_payload(query, request.user) if query else None,
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
        "run": run_payload(run) if run else None,
        "queries": list(get_saved_queries_for_user(request.user).values("id", "name")[:500]),
        "urls": _editor_urls(),
    }
    context = {"state": state, "query": query, "datasources": datasources, "nav": "editor"}
    return render(request, "web/editor.html", context)


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


def _missing_parameter(sql: str, values: dict[str, Any], specs: list[Any]) -> str | None:
    defaults = {
        s.get("name") for s in specs if isinstance(s, dict) and s.get("default") is not None
    }
    for name in find_parameters(sql):
        if name not in values and name not in defaults:
            return name
    return None


def _linked_query(
    request: HttpRequest, query_id: Any, sql: str, datasource: DataSource
) -> SavedQuery | None:
    """The saved query a run belongs to, when the editor still holds its saved SQL; edited
    text runs as an ad-hoc statement (its parameter types are inferred from the values)."""
    if not isinstance(query_id, int):
        return None
    query = get_saved_queries_for_user(request.user).filter(pk=query_id).first()
    if query is None or query.sql.strip() != sql.strip() or query.datasource_id != datasource.pk:
        return None
    return query


@login_required
@require_POST
def run(request: HttpRequest) -> JsonResponse:
    try:
        body = read_json(request)
        sql = text_field(body, "sql")
        name = text_field(body, "datasource")
        values = body.get("parameters") or {}
        specs = body.get("parameter_specs") or []
        if not isinstance(values, dict) or not isinstance(specs, list):
            raise BadRequest("parameters must be an object and parameter_specs a list")
    except BadRequest as error:
        return json_error(str(error))
    if not sql.strip():
        return json_error("nothing to run: the editor is empty")
    try:
        datasource = get_datasource_for_user(request.user, name)
    except DataSource.DoesNotExist:
        return json_error(f"no data source {name}", status=404)
    missing = _missing_parameter(sql, values, specs)
    if missing is not None:
        marker = re.search(r"\{\{\s*" + re.escape(missing), sql)
        problem: dict[str, object] = {"message": f"parameter {missing} needs a value"}
        problem["position"] = None
        if marker:
            problem["position"] = marker.start() + 1
        return JsonResponse({"status": "failed", "id": None, "error": problem}, status=400)
    query = _linked_query(request, body.get("query_id"), sql, datasource)
    submitted = submit_run(
        acting_user(request),
        datasource=datasource,
        sql=sql,
        origin=Origin.EDITOR,
        parameters=values,
        max_age_s=0 if body.get("fresh") else settings.RESULT_TTL_S,
        saved_query=query,
    )
    is_refused = submitted.status == RunStatus.FAILED and submitted.execution_id is None
    return JsonResponse(run_payload(submitted), status=400 if is_refused else 201)


@login_required
@require_POST
def format_statement(request: HttpRequest) -> JsonResponse:
    try:
        body = read_json(request)
        sql = text_field(body, "sql")
        datasource = get_datasource_for_user(request.user, text_field(body, "datasource"))
    except BadRequest as error:
        return json_error(str(error))
    except DataSource.DoesNotExist:
        return json_error("unknown data source", status=404)
    try:
        return JsonResponse({"sql": format_sql(sql, dialect_of(datasource))})
    except SqlSyntaxError as error:
        return json_error(error.message, position=error.position)


@login_required
@require_POST
def autosave_draft(request: HttpRequest) -> JsonResponse:
    try:
        body = read_json(request)
        key = text_field(body, "key")
        sql = text_field(body, "sql")
        datasource = text_field(body, "datasource", default="")
        parameters = body.get("parameters") or []
        if not isinstance(parameters, list):
            raise BadRequest("parameters must be a list")
    except BadRequest as error:
        return json_error(str(error))
    match = _DRAFT_KEY.match(key)
    if match is None:
        return json_error("unknown draft key")
    if (
        match.group(2)
        and not get_saved_queries_for_user(request.user).filter(pk=int(match.group(2))).exists()
    ):
        return json_error("no such query", status=404)
    try:
        draft = save_draft(
            acting_user(request), key=key, sql=sql, datasource=datasource, parameters=parameters
        )
    except ValueError as error:
        return json_error(str(error))
    return JsonResponse({"updated_at": draft.updated_at.isoformat()})
