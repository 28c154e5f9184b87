"""The dashboard for viewers without an account: a public link and a signed embed. Both
are read-only; an unknown, revoked or expired token is a 404 like any missing page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from dashboards.boards.errors import FilterValueError
from dashboards.boards.stream import BoardView
from dashboards.models import Dashboard
from dashboards.pages.boards.context import board_config, widget_boxes
from dashboards.pages.boards.streams import (
    embed_allowed_values,
    embed_board_view,
    embed_grant_or_404,
    public_board_view,
    public_link_or_404,
)


def _render_shared(
    request: HttpRequest,
    dashboard: Dashboard,
    make_view: Callable[[], BoardView],
    *,
    mode: str,
    data_url: str,
    allowed: dict[str, list[Any]],
) -> HttpResponse:
    try:
        filter_values, error = make_view().filter_values, ""
    except FilterValueError as problem:
        filter_values, error = {}, problem.message
    boxes = widget_boxes(dashboard)
    is_export = request.GET.get("export") == "1"
    config = board_config(
        dashboard,
        mode="export" if is_export else mode,
        urls={"data": data_url},
        filter_values=filter_values,
        boxes=boxes,
        extra={"allowed_filter_values": allowed},
    )
    return render(
        request,
        "boards/shared.html",
        {
            "dashboard": dashboard,
            "boxes": boxes,
            "config": config,
            "is_export": is_export,
            "filter_error": error,
        },
    )


@require_GET
def public_page(request: HttpRequest, token: str) -> HttpResponse:
    link = public_link_or_404(token)
    return _render_shared(
        request,
        link.dashboard,
        lambda: public_board_view(request, link),
        mode="public",
        data_url=reverse("boards:public_data", args=[token]),
        allowed=link.allowed_filter_values,
    )


@xframe_options_exempt
@require_GET
def embed_page(request: HttpRequest, token: str) -> HttpResponse:
    grant = embed_grant_or_404(token)
    return _render_shared(
        request,
        grant.dashboard,
        lambda: embed_board_view(request, grant),
        mode="embed",
        data_url=reverse("boards:embed_data", args=[token]),
        allowed=embed_allowed_values(grant),
    )
