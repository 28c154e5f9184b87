"""Dashboards in the REST API: CRUD with filters and widgets, and export/import as JSON so
a dashboard can be versioned and deployed between instances."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from dashboards.api.auth import acting_user
from dashboards.api.errors import not_found
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
    set_dashboard_filters,
    update_dashboard,
    update_widget,
)
from dashboards.boards.errors import BoardError
from dashboards.boards.schemas import FilterDefinition, WidgetPosition
from dashboards.boards.transfer import (
    ExportDoc,
    export_dashboard,
    filter_definitions,
    import_dashboard,
)
from dashboards.models import Dashboard, Visualization, Widget

router = Router(tags=["dashboards"])


class WidgetIn(Schema):
    visualization_id: int | None = None
    text: str = ""
    title: str = ""
    position: WidgetPosition | None = None
    parameter_bindings: dict[str, dict[str, Any]] | None = None


class WidgetPatch(Schema):
    title: str | None = None
    text: str | None = None
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


class DashboardIn(Schema):
    name: str
    description: str = ""
    refresh_interval_s: int = 0
    max_age_s: int = 3600
    filters: list[FilterDefinition] = []
    widgets: list[WidgetIn] = []


class DashboardPatch(Schema):
    name: str | None = None
    description: str | None = None
    refresh_interval_s: int | None = None
    max_age_s: int | None = None
    filters: list[FilterDefinition] | None = None


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
    try:
        return get_dashboard_for_user(
            request.user, dashboard_id, for_edit=for_edit, for_manage=for_manage
        )
    except Dashboard.DoesNotExist as error:
        raise not_found(f"dashboard {dashboard_id}") from error
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from error


def _visualization(request: HttpRequest, visualization_id: int | None) -> Visualization | None:
    if visualization_id is None:
        return None
    try:
        return get_visualization_for_user(request.user, visualization_id)
    except Visualization.DoesNotExist as error:
        raise HttpError(400, f"no visualization {visualization_id}") from error


def _bad(error: ValidationError | BoardError) -> HttpError:
    if isinstance(error, BoardError):
        return HttpError(400, error.message)
    return HttpError(400, "; ".join(error.messages))


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
    try:
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
    except (ValidationError, BoardError) as error:
        raise _bad(error) from error
    return 201, dashboard_out(dashboard)


@router.post("/import", response={201: DashboardOut})
def import_(request: HttpRequest, body: ExportDoc) -> tuple[int, DashboardOut]:
    try:
        dashboard = import_dashboard(acting_user(request), body)
    except (ValidationError, BoardError) as error:
        raise _bad(error) from error
    return 201, dashboard_out(dashboard)


@router.get("/{dashboard_id}", response=DashboardOut)
def read(request: HttpRequest, dashboard_id: int) -> DashboardOut:
    return dashboard_out(_get(request, dashboard_id))


@router.patch("/{dashboard_id}", response=DashboardOut)
def patch(request: HttpRequest, dashboard_id: int, body: DashboardPatch) -> DashboardOut:
    dashboard = _get(request, dashboard_id, for_edit=True)
    user = acting_user(request)
    try:
        with transaction.atomic():
            changes = body.dict(exclude_none=True, exclude={"filters"})
            if changes:
                update_dashboard(user, dashboard, changes=changes)
            if body.filters is not None:
                set_dashboard_filters(user, dashboard, filters=body.filters)
    except (ValidationError, BoardError) as error:
        raise _bad(error) from error
    return dashboard_out(dashboard)


@router.delete("/{dashboard_id}", response={204: None})
def delete(request: HttpRequest, dashboard_id: int) -> tuple[int, None]:
    delete_dashboard(acting_user(request), _get(request, dashboard_id, for_manage=True))
    return 204, None


@router.post("/{dashboard_id}/widgets", response={201: WidgetOut})
def create_widget(request: HttpRequest, dashboard_id: int, body: WidgetIn) -> tuple[int, Any]:
    dashboard = _get(request, dashboard_id, for_edit=True)
    try:
        return 201, widget_out(_add(request, dashboard, body))
    except ValidationError as error:
        raise _bad(error) from error


@router.patch("/{dashboard_id}/widgets/{widget_id}", response=WidgetOut)
def patch_widget(
    request: HttpRequest, dashboard_id: int, widget_id: int, body: WidgetPatch
) -> WidgetOut:
    dashboard = _get(request, dashboard_id, for_edit=True)
    widget = dashboard.widgets.filter(pk=widget_id).first()
    if widget is None:
        raise not_found(f"widget {widget_id}")
    changes: dict[str, Any] = body.dict(exclude_none=True, exclude={"position"})
    if body.position is not None:
        changes.update(body.position.model_dump())
    try:
        return widget_out(update_widget(acting_user(request), widget, changes=changes))
    except ValidationError as error:
        raise _bad(error) from error


@router.delete("/{dashboard_id}/widgets/{widget_id}", response={204: None})
def delete_widget(request: HttpRequest, dashboard_id: int, widget_id: int) -> tuple[int, None]:
    dashboard = _get(request, dashboard_id, for_edit=True)
    widget = dashboard.widgets.filter(pk=widget_id).first()
    if widget is None:
        raise not_found(f"widget {widget_id}")
    remove_widget(acting_user(request), widget)
    return 204, None


@router.get("/{dashboard_id}/export", response=ExportDoc)
def export(request: HttpRequest, dashboard_id: int) -> ExportDoc:
    return export_dashboard(_get(request, dashboard_id))
