"""PNG and PDF of a dashboard as the viewer sees it (filters and cross-filters included)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from dashboards.boards.access import get_dashboard_for_user
from dashboards.boards.errors import FilterValueError
from dashboards.boards.sharing import sign_embed_token
from dashboards.boards.snapshots import (
    CONTENT_TYPES,
    SnapshotFailed,
    SnapshotFormat,
    render_snapshot,
)
from dashboards.identity.access import acting_user
from dashboards.models import Dashboard
from dashboards.pages.boards.viewing import user_view

EXPORT_TOKEN_TTL_S = 300
MIN_WIDTH_PX, MAX_WIDTH_PX = 480, 3840


def _base_url(request: HttpRequest) -> str:
    """Where the server's own Chromium reaches this site (EXPORT_BASE_URL behind a proxy
    whose public address the server cannot reach)."""
    configured: str = settings.EXPORT_BASE_URL
    return configured.rstrip("/") if configured else request.build_absolute_uri("/")[:-1]


@login_required
@require_GET
def export(request: HttpRequest, dashboard_id: int, fmt: str) -> HttpResponse:
    """`?width=` in CSS pixels (default 1280); the other parameters as on the page."""
    try:
        snapshot_format = SnapshotFormat(fmt)
        dashboard = get_dashboard_for_user(request.user, dashboard_id)
        view = user_view(request, dashboard, acting_user(request))
        width_px = min(max(int(request.GET.get("width", 1280)), MIN_WIDTH_PX), MAX_WIDTH_PX)
    except (ValueError, Dashboard.DoesNotExist) as error:
        raise Http404("no such export") from error
    except FilterValueError as error:
        return JsonResponse({"error": error.message, "field": error.field}, status=400)
    # the export page is the embed page, signed for this viewer with these filter values
    token = sign_embed_token(
        acting_user(request),
        dashboard,
        ttl_s=EXPORT_TOKEN_TTL_S,
        filter_values={k: v for k, v in view.filter_values.items() if v is not None},
    )
    query = {"export": "1", "xf": request.GET.get("xf", "[]")}
    url = f"{_base_url(request)}{reverse('boards:embed', args=[token])}?{urlencode(query)}"
    try:
        snapshot = render_snapshot(url, fmt=snapshot_format, width_px=width_px)
    except SnapshotFailed as error:
        return JsonResponse({"error": str(error)}, status=503)
    response = HttpResponse(snapshot.content, content_type=CONTENT_TYPES[snapshot_format])
    name = dashboard.name.replace('"', "") or "dashboard"
    response["Content-Disposition"] = f'attachment; filename="{name}.{snapshot_format}"'
    return response
