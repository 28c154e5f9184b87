"""Dashboards in the REST API: CRUD with filters and widgets, and export/import as JSON so
a dashboard can be versioned and deployed between instances."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from dashboards.api.errors import not_found
from dashboards.api.schemas import MAX_AGE_S
from dashboards.boards.access import (
    get_dashboard_for_user,
    get_dashboards_for_user,
    get_visualization_for_user,
)
from dashboards.boards.dashboards import (
    add_widget,
    create_dashboard,
    delete_dashboard,
    remove_widget,
    save_layout,
    set_dashboard_filters,
    update_dashboard,
    update_widget,
)
from dashboards.boards.schemas import FilterDefinition, LayoutItem, WidgetPosition
from dashboards.boards.transfer import (
    ExportDoc,
    export_dashboard,
    filter_definitions,
    import_dashboard,
)
from dashboards.identity.access import acting_user
from dashboards.models import Dashboard, Visualization, Widget

router = Router(tags=["dashboards"])


MAX_TEXT_CHARS = 100_000
MAX_REFRESH_S = 86_400


class WidgetIn(Schema):
    """A chart (`visualization_id`) or a text widget (`text`, markdown)."""

    visualization_id: int | None = None
    text: str = Field("", max_length=MAX_TEXT_CHARS)
    title: str = Field("", max_length=200)
    position: WidgetPosition | None = None  # default: below the others
    parameter_bindings: dict[str, dict[str, Any]] | None = None  # default: filters by name


class WidgetPatch(Schema):
    title: str | None = Field(None, max_length=200)
    text: str | None = Field(None, max_length=MAX_TEXT_CHARS)
    position: WidgetPosition | None = None
    parameter_bindings: dict[str, dict[str, Any]] | None = None


class WidgetOut(Schema):
    id: int
    kind: str
    visualization_id: int | None
    title: str
    text: str
    position: WidgetPosition
    parameter_bindings: dict[str, Any]


class LayoutIn(Schema):
    widgets: list[LayoutItem]


class LayoutOut(Schema):
    widgets: list[WidgetOut]


class DashboardIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    refresh_interval_s: int = Field(0, ge=0, le=MAX_REFRESH_S)
    max_age_s: int = Field(3600, ge=0, le=MAX_AGE_S)
    filters: list[FilterDefinition] = []
    widgets: list[WidgetIn] = []


class DashboardPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    refresh_interval_s: int | None = Field(None, ge=0, le=MAX_REFRESH_S)
    max_age_s: int | None = Field(None, ge=0, le=MAX_AGE_S)
    filters: list[FilterDefinition] | None = None  # replaces them all


class DashboardOut(Schema):
    id: int
    uid: str
    name: str
    description: str
    owner: str
    refresh_interval_s: int
    max_age_s: int
    filters: list[FilterDefinition]
    widgets: list[WidgetOut]
    created_at: datetime
    updated_at: datetime


def widget_out(widget: Widget) -> WidgetOut:
    return WidgetOut(
        id=widget.pk,
        kind=widget.kind,
        visualization_id=widget.visualization_id,
        title=widget.title,
        text=widget.text,
        position=WidgetPosition(x=widget.x, y=widget.y, width=widget.width, height=widget.height),
        parameter_bindings=widget.parameter_bindings,
    )


def dashboard_out(dashboard: Dashboard) -> DashboardOut:
    return DashboardOut(
        id=dashboard.pk,
        uid=str(dashboard.uid),
        name=dashboard.name,
        description=dashboard.description,
        owner=dashboard.owner.get_username(),
        refresh_interval_s=dashboard.refresh_interval_s,
        max_age_s=dashboard.max_age_s,
        filters=filter_definitions(dashboard),
        widgets=[widget_out(w) for w in dashboard.widgets.all()],
        created_at=dashboard.created_at,
        updated_at=dashboard.updated_at,
    )


def _get(
    request: HttpRequest, dashboard_id: int, *, for_edit: bool = False, for_manage: bool = False
) -> Dashboard:
    """Raises PermissionDenied (403) when visible but not editable / manageable."""
    try:
        return get_dashboard_for_user(
            request.user, dashboard_id, for_edit=for_edit, for_manage=for_manage
        )
    except Dashboard.DoesNotExist as error:
        raise not_found(f"dashboard {dashboard_id}") from error


def _widget(dashboard: Dashboard, widget_id: int) -> Widget:
    widget = dashboard.widgets.filter(pk=widget_id).first()
    if widget is None:
        raise not_found(f"widget {widget_id}")
    return widget


def _visualization(request: HttpRequest, visualization_id: int | None) -> Visualization | None:
    if visualization_id is None:
        return None
    try:
        return get_visualization_for_user(request.user, visualization_id)
    except Visualization.DoesNotExist as error:
        raise HttpError(400, f"no visualization {visualization_id}") from error


def _add(request: HttpRequest, dashboard: Dashboard, body: WidgetIn) -> Widget:
    return add_widget(
        acting_user(request),
        dashboard,
        visualization=_visualization(request, body.visualization_id),
        text=body.text,
        title=body.title,
        position=body.position,
        parameter_bindings=body.parameter_bindings,
    )


@router.get("", response=list[DashboardOut])
def list_dashboards(request: HttpRequest, search: str = "") -> list[DashboardOut]:
    dashboards = get_dashboards_for_user(request.user).prefetch_related("filters", "widgets")
    if search:
        dashboards = dashboards.filter(name__icontains=search)
    return [dashboard_out(d) for d in dashboards]


@router.post("", response={201: DashboardOut})
def create(request: HttpRequest, body: DashboardIn) -> tuple[int, DashboardOut]:
    user = acting_user(request)
    with transaction.atomic():
        dashboard = create_dashboard(
            user,
            name=body.name,
            description=body.description,
            refresh_interval_s=body.refresh_interval_s,
            max_age_s=body.max_age_s,
            filters=body.filters,
        )
        for widget in body.widgets:
            _add(request, dashboard, widget)
    return 201, dashboard_out(dashboard)


@router.post("/import", response={201: DashboardOut})
def import_(request: HttpRequest, body: ExportDoc) -> tuple[int, DashboardOut]:
    """Import an export; a dashboard of the same uid is updated in place."""
    return 201, dashboard_out(import_dashboard(acting_user(request), body))


@router.get("/{dashboard_id}", response=DashboardOut)
def read(request: HttpRequest, dashboard_id: int) -> DashboardOut:
    return dashboard_out(_get(request, dashboard_id))


@router.patch("/{dashboard_id}", response=DashboardOut)
def patch(request: HttpRequest, dashboard_id: int, body: DashboardPatch) -> DashboardOut:
    dashboard = _get(request, dashboard_id, for_edit=True)
    user = acting_user(request)
    with transaction.atomic():
        changes = body.dict(exclude_none=True, exclude={"filters"})
        if changes:
            update_dashboard(user, dashboard, changes=changes)
        if body.filters is not None:
            set_dashboard_filters(user, dashboard, filters=body.filters)
    return dashboard_out(dashboard)


@router.delete("/{dashboard_id}", response={204: None})
def delete(request: HttpRequest, dashboard_id: int) -> tuple[int, None]:
    delete_dashboard(acting_user(request), _get(request, dashboard_id, for_manage=True))
    return 204, None


@router.post("/{dashboard_id}/widgets", response={201: WidgetOut})
def create_widget(request: HttpRequest, dashboard_id: int, body: WidgetIn) -> tuple[int, Any]:
    dashboard = _get(request, dashboard_id, for_edit=True)
    return 201, widget_out(_add(request, dashboard, body))


@router.patch("/{dashboard_id}/widgets/{widget_id}", response=WidgetOut)
def patch_widget(
    request: HttpRequest, dashboard_id: int, widget_id: int, body: WidgetPatch
) -> WidgetOut:
    widget = _widget(_get(request, dashboard_id, for_edit=True), widget_id)
    changes: dict[str, Any] = body.dict(exclude_none=True, exclude={"position"})
    if body.position is not None:
        changes.update(body.position.model_dump())
    return widget_out(update_widget(acting_user(request), widget, changes=changes))


@router.delete("/{dashboard_id}/widgets/{widget_id}", response={204: None})
def delete_widget(request: HttpRequest, dashboard_id: int, widget_id: int) -> tuple[int, None]:
    widget = _widget(_get(request, dashboard_id, for_edit=True), widget_id)
    remove_widget(acting_user(request), widget)
    return 204, None


@router.put("/{dashboard_id}/layout", response=LayoutOut)
def put_layout(request: HttpRequest, dashboard_id: int, body: LayoutIn) -> LayoutOut:
    """Move and resize several widgets at once (the grid sends every one it moved)."""
    dashboard = _get(request, dashboard_id, for_edit=True)
    positions = {
        item.id: WidgetPosition(x=item.x, y=item.y, width=item.width, height=item.height)
        for item in body.widgets
    }
    widgets = save_layout(acting_user(request), dashboard, positions=positions)
    return LayoutOut(widgets=[widget_out(w) for w in widgets])


@router.get("/{dashboard_id}/export", response=ExportDoc)
def export(request: HttpRequest, dashboard_id: int) -> ExportDoc:
    return export_dashboard(_get(request, dashboard_id))
