"""JSON endpoints the dashboard page calls while editing: layout, widgets, settings."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from dashboards.boards.access import get_dashboard_for_user, get_visualization_for_user
from dashboards.boards.dashboards import (
    add_widget,
    delete_dashboard,
    remove_widget,
    save_layout,
    set_dashboard_filters,
    update_dashboard,
    update_widget,
)
from dashboards.boards.schemas import FilterDefinition, LayoutItem, WidgetPosition
from dashboards.boards_web.errors import json_errors
from dashboards.boards_web.pages import acting_user
from dashboards.models import Widget
from dashboards.web.jsonio import read_json

_LAYOUT = TypeAdapter(list[LayoutItem])


class WidgetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visualization: int | None = None
    text: str = Field(default="", max_length=100_000)
    title: str = Field(default="", max_length=200)
    position: WidgetPosition | None = None
    parameter_bindings: dict[str, dict[str, Any]] | None = None


class WidgetPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=200)
    text: str | None = Field(default=None, max_length=100_000)
    parameter_bindings: dict[str, dict[str, Any]] | None = None


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = None
    refresh_interval_s: int | None = Field(default=None, ge=0, le=86_400)
    max_age_s: int | None = Field(default=None, ge=0, le=30 * 86_400)
    filters: list[FilterDefinition] | None = None


def widget_json(widget: Widget) -> dict[str, Any]:
    return {
        "id": widget.pk,
        "kind": widget.kind,
        "title": widget.display_title,
        "x": widget.x,
        "y": widget.y,
        "width": widget.width,
        "height": widget.height,
        "parameter_bindings": widget.parameter_bindings,
    }


@login_required
@require_POST
@json_errors
def layout(request: HttpRequest, dashboard_id: int) -> HttpResponse:
    """Body: {"widgets": [{id, x, y, width, height}, ...]}."""
    dashboard = get_dashboard_for_user(request.user, dashboard_id, for_edit=True)
    items = _LAYOUT.validate_python(read_json(request).get("widgets", []))
    positions = {
        item.id: WidgetPosition(x=item.x, y=item.y, width=item.width, height=item.height)
        for item in items
    }
    widgets = save_layout(acting_user(request), dashboard, positions=positions)
    return JsonResponse({"widgets": [widget_json(w) for w in widgets]})


@login_required
@require_POST
@json_errors
def widgets(request: HttpRequest, dashboard_id: int) -> HttpResponse:
    """Add a widget: {"visualization": id} or {"text": markdown}, optional position."""
    dashboard = get_dashboard_for_user(request.user, dashboard_id, for_edit=True)
    body = WidgetIn.model_validate(read_json(request))
    visualization = (
        get_visualization_for_user(request.user, body.visualization)
        if body.visualization is not None
        else None
    )
    widget = add_widget(
        acting_user(request),
        dashboard,
        visualization=visualization,
        text=body.text,
        title=body.title,
        position=body.position,
        parameter_bindings=body.parameter_bindings,
    )
    return JsonResponse(widget_json(widget), status=201)


@login_required
@require_http_methods(["PATCH", "DELETE"])
@json_errors
def widget(request: HttpRequest, dashboard_id: int, widget_id: int) -> HttpResponse:
    dashboard = get_dashboard_for_user(request.user, dashboard_id, for_edit=True)
    target = dashboard.widgets.get(pk=widget_id)
    if request.method == "DELETE":
        remove_widget(acting_user(request), target)
        return HttpResponse(status=204)
    changes = WidgetPatch.model_validate(read_json(request)).model_dump(exclude_none=True)
    return JsonResponse(widget_json(update_widget(acting_user(request), target, changes=changes)))


@login_required
@require_POST
@json_errors
def settings(request: HttpRequest, dashboard_id: int) -> HttpResponse:
    """Name, description, refresh, max age and (replacing all of them) filters."""
    dashboard = get_dashboard_for_user(request.user, dashboard_id, for_edit=True)
    body = SettingsIn.model_validate(read_json(request))
    user = acting_user(request)
    with transaction.atomic():
        changes = body.model_dump(exclude_none=True, exclude={"filters"})
        if changes:
            update_dashboard(user, dashboard, changes=changes)
        if body.filters is not None:
            set_dashboard_filters(user, dashboard, filters=body.filters)
    return JsonResponse({"id": dashboard.pk, "name": dashboard.name})


@login_required
@require_POST
@json_errors
def delete(request: HttpRequest, dashboard_id: int) -> HttpResponse:
    dashboard = get_dashboard_for_user(request.user, dashboard_id, for_manage=True)
    delete_dashboard(acting_user(request), dashboard)
    return JsonResponse({"redirect": reverse("boards:list")})
