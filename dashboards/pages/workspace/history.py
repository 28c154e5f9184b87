"""The user's query history: every run with its SQL, status, duration and rows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboards.identity.access import acting_user, get_datasources_for_user, get_runs_for_user
from dashboards.models import ResultEntry, RunStatus

PAGE_SIZE = 50


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in ("search", "status", "datasource")}
    runs = get_runs_for_user(acting_user(request)).order_by("-created_at")
    if filters["search"]:
        runs = runs.filter(sql__icontains=filters["search"])
    if filters["status"]:
        runs = runs.filter(status=filters["status"])
    if filters["datasource"]:
        runs = runs.filter(datasource__name=filters["datasource"])
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    fingerprints = {run.fingerprint for run in page if run.status == RunStatus.SUCCEEDED}
    rows = dict(
        ResultEntry.objects.filter(pk__in=fingerprints).values_list("fingerprint", "row_count")
    )
    for run in page:
        run.row_count = rows.get(run.fingerprint)  # type: ignore[attr-defined]
    context = {
        "page": page,
        "filters": filters,
        "statuses": RunStatus.choices,
        "datasources": get_datasources_for_user(request.user),
        "nav": "history",
    }
    template = (
        "workspace/_history_table.html"
        if request.headers.get("HX-Request")
        else "workspace/history.html"
    )
    return render(request, template, context)
