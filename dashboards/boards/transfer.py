"""A dashboard as one JSON document, with its saved queries and visualizations, to move it
between instances or keep it under version control.

Import matches data sources by name and creates the queries, visualizations and the
dashboard as the importing user. Importing a document whose dashboard `uid` already exists
here (and which the user may edit) updates that dashboard in place, and visualizations with
a known `uid` are updated with their queries: deploying the same file twice changes nothing.
"""

from __future__ import annotations

from typing import Any, Final, Literal
from uuid import UUID

from django.contrib.auth.models import User
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field

from dashboards.audit.changes import audit_change
from dashboards.boards.access import can_edit_dashboard, can_edit_visualization
from dashboards.boards.dashboards import (
    add_widget,
    create_dashboard,
    set_dashboard_filters,
    update_dashboard,
)
from dashboards.boards.errors import TransferError
from dashboards.boards.schemas import FilterDefinition, WidgetPosition
from dashboards.boards.visualizations import create_visualization, update_visualization
from dashboards.identity.access import AnyUser, get_datasources_for_user
from dashboards.library.queries import create_saved_query, update_saved_query
from dashboards.models import Dashboard, DataSource, FilterType, Visualization, WidgetKind

FORMAT: Final = "dashwire.dashboard/1"


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class QueryDoc(_Doc):
    key: str
    name: str
    description: str = ""
    sql: str
    datasource: str
    parameters: list[dict[str, Any]] = Field(default_factory=list)


class VisualizationDoc(_Doc):
    uid: UUID
    query: str  # a QueryDoc key
    name: str
    description: str = ""
    spec: dict[str, Any]


class WidgetDoc(_Doc):
    kind: WidgetKind
    visualization: UUID | None = None
    title: str = ""
    text: str = ""
    position: WidgetPosition
    parameter_bindings: dict[str, dict[str, Any]] = Field(default_factory=dict)


class DashboardDoc(_Doc):
    uid: UUID
    name: str
    description: str = ""
    refresh_interval_s: int = 0
    max_age_s: int = 3600
    filters: list[FilterDefinition] = Field(default_factory=list)
    widgets: list[WidgetDoc] = Field(default_factory=list)


class ExportDoc(_Doc):
    format: Literal["dashwire.dashboard/1"] = FORMAT
    dashboard: DashboardDoc
    queries: list[QueryDoc] = Field(default_factory=list)
    visualizations: list[VisualizationDoc] = Field(default_factory=list)


def filter_definitions(dashboard: Dashboard) -> list[FilterDefinition]:
    return [
        FilterDefinition(
            name=f.name,
            type=FilterType(f.type),
            label=f.label,
            options=f.options,
            is_multi=f.is_multi,
            default=f.default,
        )
        for f in dashboard.filters.all()
    ]


def export_dashboard(dashboard: Dashboard) -> ExportDoc:
    """The dashboard, its filters and widgets, and every visualization and query on it."""
    widgets = list(dashboard.widgets.select_related("visualization__query__datasource"))
    visualizations = {w.visualization.uid: w.visualization for w in widgets if w.visualization}
    queries = {v.query_id: v.query for v in visualizations.values()}
    return ExportDoc(
        dashboard=DashboardDoc(
            uid=dashboard.uid,
            name=dashboard.name,
            description=dashboard.description,
            refresh_interval_s=dashboard.refresh_interval_s,
            max_age_s=dashboard.max_age_s,
            filters=filter_definitions(dashboard),
            widgets=[
                WidgetDoc(
                    kind=WidgetKind(w.kind),
                    visualization=w.visualization.uid if w.visualization else None,
                    title=w.title,
                    text=w.text,
                    position=WidgetPosition(x=w.x, y=w.y, width=w.width, height=w.height),
                    parameter_bindings=w.parameter_bindings,
                )
                for w in widgets
            ],
        ),
        queries=[
            QueryDoc(
                key=f"q{q.pk}",
                name=q.name,
                description=q.description,
                sql=q.sql,
                datasource=q.datasource.name,
                parameters=q.parameters,
            )
            for q in queries.values()
        ],
        visualizations=[
            VisualizationDoc(
                uid=v.uid,
                query=f"q{v.query_id}",
                name=v.name,
                description=v.description,
                spec=v.spec,
            )
            for v in visualizations.values()
        ],
    )


def _datasources(user: AnyUser, doc: ExportDoc) -> dict[str, DataSource]:
    names = {q.datasource for q in doc.queries}
    found = {d.name: d for d in get_datasources_for_user(user).filter(name__in=names)}
    missing = sorted(names - set(found))
    if missing:
        raise TransferError(
            f"no data source named {missing[0]} here (or you may not use it)", "queries.datasource"
        )
    return found


def _import_visualization(
    user: User, doc: VisualizationDoc, query_doc: QueryDoc, datasource: DataSource
) -> Visualization:
    existing = Visualization.objects.select_related("query").filter(uid=doc.uid).first()
    query_fields: dict[str, Any] = {
        "name": query_doc.name,
        "description": query_doc.description,
        "sql": query_doc.sql,
        "datasource": datasource,
        "parameters": query_doc.parameters,
    }
    if existing is not None and can_edit_visualization(user, existing):
        update_saved_query(user, existing.query, changes=query_fields)
        return update_visualization(
            user,
            existing,
            changes={"name": doc.name, "description": doc.description, "spec": doc.spec},
        )
    query = create_saved_query(
        user,
        name=query_doc.name,
        description=query_doc.description,
        sql=query_doc.sql,
        datasource=datasource,
        parameters=query_doc.parameters,
    )
    visualization = create_visualization(
        user, query=query, name=doc.name, spec=doc.spec, description=doc.description
    )
    if existing is None:  # keep the uid, so a later import of the same file updates this one
        Visualization.objects.filter(pk=visualization.pk).update(uid=doc.uid)
        visualization.uid = doc.uid
    return visualization


def import_dashboard(user: User, doc: ExportDoc) -> Dashboard:
    """Create or update the dashboard of `doc` as `user`. Raises TransferError (unknown
    data source, dangling reference) or ValidationError (a bad spec, filter, position);
    nothing is written when either is raised."""
    datasources = _datasources(user, doc)
    queries = {q.key: q for q in doc.queries}
    with transaction.atomic():
        visualizations: dict[UUID, Visualization] = {}
        for viz_doc in doc.visualizations:
            query_doc = queries.get(viz_doc.query)
            if query_doc is None:
                raise TransferError(
                    f"visualization {viz_doc.name}: no query {viz_doc.query}",
                    "visualizations.query",
                )
            visualizations[viz_doc.uid] = _import_visualization(
                user, viz_doc, query_doc, datasources[query_doc.datasource]
            )
        dashboard = _target_dashboard(user, doc.dashboard)
        for widget_doc in doc.dashboard.widgets:
            visualization = None
            if widget_doc.kind == WidgetKind.VISUALIZATION:
                uid = widget_doc.visualization
                visualization = visualizations.get(uid) if uid else None
                if visualization is None:
                    raise TransferError("a widget shows a visualization the file lacks", "widgets")
            add_widget(
                user,
                dashboard,
                visualization=visualization,
                text=widget_doc.text,
                title=widget_doc.title,
                position=widget_doc.position,
                parameter_bindings=widget_doc.parameter_bindings,
            )
        audit_change(user, "dashboard.import", dashboard_id=dashboard.pk, uid=str(dashboard.uid))
    return dashboard


def _target_dashboard(user: User, doc: DashboardDoc) -> Dashboard:
    existing = Dashboard.objects.filter(uid=doc.uid).first()
    fields: dict[str, Any] = {
        "name": doc.name,
        "description": doc.description,
        "refresh_interval_s": doc.refresh_interval_s,
        "max_age_s": doc.max_age_s,
    }
    if existing is not None and can_edit_dashboard(user, existing):
        update_dashboard(user, existing, changes=fields)
        existing.widgets.all().delete()
        set_dashboard_filters(user, existing, filters=doc.filters)
        return existing
    dashboard = create_dashboard(
        user,
        name=doc.name,
        description=doc.description,
        refresh_interval_s=doc.refresh_interval_s,
        max_age_s=doc.max_age_s,
        filters=doc.filters,
    )
    if existing is None:
        Dashboard.objects.filter(pk=dashboard.pk).update(uid=doc.uid)
        dashboard.uid = doc.uid
    return dashboard
