"""Whole results as files: CSV, Excel, Parquet, JSON (and Arrow), streamed from the store."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.views.decorators.http import require_GET

from dashboards.identity.access import get_run_for_user
from dashboards.models import QueryRun, ResultEntry, RunStatus
from dashboards.pipeline.downloads import STREAMS
from dashboards.pipeline.result_store import ResultMissing, result_path


@login_required
@require_GET
def download(request: HttpRequest, run_id: str, fmt: str) -> HttpResponseBase:
    if fmt not in STREAMS:
        raise Http404(f"no download format {fmt}")
    try:
        run = get_run_for_user(request.user, run_id)
    except (QueryRun.DoesNotExist, ValidationError) as error:
        raise Http404(f"no run {run_id}") from error
    if run.status != RunStatus.SUCCEEDED:
        return HttpResponse(f"run {run_id} is {run.status}; it has no result", status=409)
    if (
        not ResultEntry.objects.filter(pk=run.fingerprint).exists()
        or not result_path(run.fingerprint).exists()
    ):
        return HttpResponse("the result is no longer stored; run the query again", status=410)
    stream, content_type, extension = STREAMS[fmt]
    try:
        response = StreamingHttpResponse(stream(run.fingerprint), content_type=content_type)
    except ResultMissing as error:
        return HttpResponse(str(error), status=410)
    name = run.saved_query.name if run.saved_query else f"query-{str(run.pk)[:8]}"
    slug = re.sub(r"[^\w.-]+", "-", name).strip("-") or "result"
    response["Content-Disposition"] = f'attachment; filename="{slug}.{extension}"'
    return response
