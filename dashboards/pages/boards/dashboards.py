"""The dashboard list and the dashboard page of a logged-in user."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dashboards.boards.access import (
    can_edit_dashboard,
    can_manage_dashboard,
    get_dashboard_for_user,
    get_dashboards_for_user,
    get_visualizations_for_user,
)
from dashboards.boards.dashboards import create_dashboard
from dashboards.boards.errors import FilterValueError
from dashboards.identity.access import acting_user
from dashboards.models import Dashboard
from dashboards.pages.boards.context import board_config, widget_boxes
from dashboards.pages.boards.viewing import user_view


@login_required
@require_GET
def dashboard_list(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    dashboards = get_dashboards_for_user(user).prefetch_related("widgets")
    search = request.GET.get("q", "").strip()
    if search:
        dashboards = dashboards.filter(name__icontains=search)
    return render(
        request,
        "boards/list.html",
        {"nav": "dashboards", "dashboards": dashboards, "search": search, "user_id": user.pk},
    )


@login_required
@require_POST
def dashboard_create(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip() or "Untitled dashboard"
    try:
        dashboard = create_dashboard(acting_user(request), name=name)
    except ValidationError as error:
        return render(
            request,
            "boards/list.html",
            {"nav": "dashboards", "error": "; ".join(error.messages), "dashboards": []},
            status=400,
        )
    return redirect(reverse("boards:dashboard", args=[dashboard.pk]) + "?edit=1")


def _get(request: HttpRequest, dashboard_id: int) -> Dashboard:
    try:
        return get_dashboard_for_user(request.user, dashboard_id)
    except Dashboard.DoesNotExist as error:
        raise Http404("no such dashboard") from error


def dashboard_urls(dashboard: Dashboard) -> dict[str, str]:
    """The page's event stream and downloads, and the API routes its island calls."""
    pk = dashboard.pk
    return {
        "data": reverse("boards:data", args=[pk]),
        "csv": reverse("boards:widget_csv", args=[pk, 0]),
        "export": reverse("boards:export", args=[pk, "png"]),
        "visualization": reverse("boards:visualization", args=[0]),
        "dashboard": f"/api/dashboards/{pk}",
        "layout": f"/api/dashboards/{pk}/layout",
        "widgets": f"/api/dashboards/{pk}/widgets",
        "widget": f"/api/dashboards/{pk}/widgets/__id__",
        "share": f"/api/dashboards/{pk}/share",
    }


@login_required
@require_GET
def dashboard_page(request: HttpRequest, dashboard_id: int) -> HttpResponse:
    user = acting_user(request)
    dashboard = _get(request, dashboard_id)
    can_edit = can_edit_dashboard(user, dashboard)
    try:
        view = user_view(request, dashboard, user)
        error = ""
    except FilterValueError as problem:
        view = None
        error = problem.message
    boxes = widget_boxes(dashboard)
    extra: dict[str, Any] = {}
    if can_edit:
        extra["visualizations"] = [
            {"id": v.pk, "name": v.name, "query": v.query.name, "type": v.spec.get("type")}
            for v in get_visualizations_for_user(user)[:500]
        ]
        extra["settings"] = {
            "name": dashboard.name,
            "description": dashboard.description,
            "refresh_interval_s": dashboard.refresh_interval_s,
            "max_age_s": dashboard.max_age_s,
        }
    config = board_config(
        dashboard,
        mode="user",
        urls=dashboard_urls(dashboard),
        filter_values=view.filter_values if view else {},
        boxes=boxes,
        can_edit=can_edit,
        extra=extra,
    )
    return render(
        request,
        "boards/dashboard.html",
        {
            "nav": "dashboards",
            "dashboard": dashboard,
            "boxes": boxes,
            "config": config,
            "can_edit": can_edit,
            "can_manage": can_manage_dashboard(user, dashboard),
            "is_editing": can_edit and request.GET.get("edit") == "1",
            "filter_error": error,
        },
    )
