"""Saved queries in the browser: the searchable list (delete with undo) and the version
history with its diff. Saving, forking, deleting and restoring go through the JSON API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards.identity.access import (
    can_edit_saved_query,
    get_datasources_for_user,
    get_saved_queries_for_user,
    get_trashed_queries_for_user,
)
from dashboards.library.versions import diff_versions
from dashboards.library.workspace import filter_queries
from dashboards.models import QueryTag, QueryVersion, SavedQuery

PAGE_SIZE = 50


def _get_query(request: HttpRequest, query_id: int) -> SavedQuery:
    try:
        return get_saved_queries_for_user(request.user).get(pk=query_id)
    except SavedQuery.DoesNotExist as error:
        raise Http404(f"no query {query_id}") from error


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
        "workspace/queries/_table.html"
        if request.headers.get("HX-Request")
        else "workspace/queries/list.html"
    )
    return render(request, template, context)


@login_required
@require_GET
def query_row(request: HttpRequest, query_id: int) -> HttpResponse:
    """One row of the list as it is now: the query, or (after it was deleted) the row that
    offers to undo that. The list's buttons change the query through the API first."""
    query = get_saved_queries_for_user(request.user).filter(pk=query_id).first()
    if query is not None:
        return render(request, "workspace/queries/_row.html", {"query": query})
    trashed = get_trashed_queries_for_user(request.user).filter(pk=query_id).first()
    if trashed is None:
        raise Http404(f"no query {query_id}")
    return render(request, "workspace/queries/_trashed_row.html", {"query": trashed})


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
    return render(request, "workspace/queries/versions.html", context)


def _pick(by_number: dict[int, QueryVersion], number: str | None) -> QueryVersion | None:
    """The version named by a query-string value, or None when it names none."""
    if number is None or not number.isdigit():
        return None
    return by_number.get(int(number))
