"""Values for a dropdown parameter filled by another saved query: the first column of
that query's (cached) result."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from dashboards.identity.access import get_run_for_user, get_saved_queries_for_user
from dashboards.models import QueryRun, RunStatus, SavedQuery
from dashboards.pipeline.governance import Origin
from dashboards.pipeline.result_store import ResultMissing, read_page
from dashboards.pipeline.runs import submit_run
from dashboards.web.jsonio import json_error
from dashboards.web.users import acting_user

MAX_OPTIONS = 1000


@login_required
@require_GET
def parameter_options(request: HttpRequest, query_id: int) -> JsonResponse:
    """The values (first column) of a saved query, for a dropdown parameter. Answers
    {"values": […]}, {"run": id, "status": …} while it runs (ask again with ?run=id), or
    {"error": …}."""
    try:
        query = get_saved_queries_for_user(request.user).get(pk=query_id)
    except SavedQuery.DoesNotExist:
        return json_error(f"no query {query_id}", status=404)
    options_run = _options_run(request, query)
    if options_run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
        return JsonResponse({"run": str(options_run.pk), "status": options_run.status})
    if options_run.status != RunStatus.SUCCEEDED:
        return JsonResponse({"error": options_run.error_message or options_run.status})
    try:
        page = read_page(options_run.fingerprint, offset=0, limit=MAX_OPTIONS)
    except ResultMissing as error:
        return JsonResponse({"error": str(error)})
    if page.num_columns == 0:
        return JsonResponse({"values": []})
    values = [str(v) for v in page.column(0).to_pylist() if v is not None]
    return JsonResponse({"values": list(dict.fromkeys(values))})


def _options_run(request: HttpRequest, query: SavedQuery) -> QueryRun:
    run_id = request.GET.get("run")
    if run_id:
        try:
            return get_run_for_user(request.user, run_id)
        except (QueryRun.DoesNotExist, ValidationError):
            pass
    return submit_run(
        acting_user(request),
        datasource=query.datasource,
        sql=query.sql,
        origin=Origin.EDITOR,
        max_age_s=settings.RESULT_TTL_S,
        saved_query=query,
    )
