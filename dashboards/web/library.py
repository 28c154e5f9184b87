"""Saved queries in the browser: the searchable list, save from the editor, fork, delete
with undo, and the version history with diff and restore."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from dashboards.identity.access import (
    can_edit_saved_query,
    get_datasource_for_user,
    get_datasources_for_user,
    get_saved_queries_for_user,
    get_trashed_queries_for_user,
)
from dashboards.library.versions import diff_versions
from dashboards.library.workspace import (
    filter_queries,
    fork_query,
    restore_query,
    restore_query_version,
    save_query,
    trash_query,
)
from dashboards.models import DataSource, QueryTag, QueryVersion, SavedQuery
from dashboards.web.editor import query_payload
from dashboards.web.jsonio import BadRequest, json_error, read_json, text_field
from dashboards.web.users import acting_user

PAGE_SIZE = 50


def _get_query(request: HttpRequest, query_id: int, *, for_edit: bool = False) -> SavedQuery:
    try:
        query = get_saved_queries_for_user(request.user).get(pk=query_id)
    except SavedQuery.DoesNotExist as error:
        raise Http404(f"no query {query_id}") from error
    if for_edit and not can_edit_saved_query(request.user, query):
        raise Http404(f"query {query_id} is not yours to change")
    return query


@login_required
@require_GET
def query_list(request: HttpRequest) -> HttpResponse:
    filters = {
        key: request.GET.get(key, "").strip() for key in ("search", "tag", "owner", "datasource")
    }
    visible = get_saved_queries_for_user(request.user)
    queries = filter_queries(visible, **filters).prefetch_related(
        Prefetch("tags", queryset=QueryTag.objects.order_by("name"))
    )
    page = Paginator(queries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "tags": QueryTag.objects.filter(query__in=visible)
        .values_list("name", flat=True)
        .distinct()
        .order_by("name"),
        "owners": visible.values_list("owner__username", flat=True)
        .distinct()
        .order_by("owner__username"),
        "datasources": get_datasources_for_user(request.user),
        "trashed": get_trashed_queries_for_user(request.user).order_by("-trash__trashed_at")[:20],
        "nav": "queries",
    }
    template = (
        "web/queries/_table.html" if request.headers.get("HX-Request") else "web/queries/list.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def save(request: HttpRequest) -> JsonResponse:
    try:
        body = read_json(request)
        query_id = body.get("id")
        name = text_field(body, "name").strip()
        tags = body.get("tags") or []
        parameters = body.get("parameters") or []
        if not isinstance(tags, list) or not isinstance(parameters, list):
            raise BadRequest("tags and parameters must be lists")
        datasource = get_datasource_for_user(request.user, text_field(body, "datasource"))
        query = _get_query(request, query_id, for_edit=True) if isinstance(query_id, int) else None
        saved = save_query(
            acting_user(request),
            query=query,
            name=name,
            description=text_field(body, "description", default=""),
            sql=text_field(body, "sql"),
            datasource=datasource,
            parameters=parameters,
            tags=[str(tag) for tag in tags],
        )
    except BadRequest as error:
        return json_error(str(error))
    except DataSource.DoesNotExist:
        return json_error("unknown data source")
    except ValidationError as error:
        return json_error("; ".join(error.messages))
    return JsonResponse(query_payload(saved, request.user), status=201 if query is None else 200)


@login_required
@require_POST
def fork(request: HttpRequest, query_id: int) -> HttpResponse:
    copy = fork_query(acting_user(request), _get_query(request, query_id))
    messages.success(request, f"Forked into “{copy.name}”.")
    return redirect("web:query", copy.pk)


@login_required
@require_POST
def trash(request: HttpRequest, query_id: int) -> HttpResponse:
    query = _get_query(request, query_id, for_edit=True)
    trash_query(acting_user(request), query)
    if request.headers.get("HX-Request"):
        return render(request, "web/queries/_trashed_row.html", {"query": query})
    return redirect(f"/queries/?trashed={query.pk}")


@login_required
@require_POST
def untrash(request: HttpRequest, query_id: int) -> HttpResponse:
    try:
        query = get_trashed_queries_for_user(request.user).get(pk=query_id)
    except SavedQuery.DoesNotExist as error:
        raise Http404(f"no deleted query {query_id}") from error
    restore_query(acting_user(request), query)
    if request.headers.get("HX-Request"):
        return render(request, "web/queries/_row.html", {"query": query})
    messages.success(request, f"Restored “{query.name}”.")
    return redirect("web:query", query.pk)


@login_required
@require_GET
def versions(request: HttpRequest, query_id: int) -> HttpResponse:
    query = _get_query(request, query_id)
    history = list(query.versions.select_related("author"))
    by_number = {v.number: v for v in history}
    newer = _pick(by_number, request.GET.get("b")) or (history[0] if history else None)
    older = _pick(by_number, request.GET.get("a"))
    if older is None and newer is not None:
        older = next((v for v in history if v.number < newer.number), None)
    diff = diff_versions(older, newer) if older and newer else []
    context = {
        "query": query,
        "history": history,
        "older": older,
        "newer": newer,
        "diff": diff,
        "can_edit": can_edit_saved_query(request.user, query),
        "nav": "queries",
    }
    return render(request, "web/queries/versions.html", context)


@login_required
@require_POST
def restore(request: HttpRequest, query_id: int, number: int) -> HttpResponse:
    query = _get_query(request, query_id, for_edit=True)
    try:
        version = restore_query_version(acting_user(request), query, number)
    except QueryVersion.DoesNotExist as error:
        raise Http404(f"query {query_id} has no version {number}") from error
    messages.success(request, f"Restored version {number} as version {version.number}.")
    return redirect("web:query", query.pk)


def _pick(by_number: dict[int, QueryVersion], number: str | None) -> QueryVersion | None:
    """The version named by a query-string value, or None when it names none."""
    if number is None or not number.isdigit():
        return None
    return by_number.get(int(number))
