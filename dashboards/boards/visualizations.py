"""Service functions for visualizations: each owns its transaction, validates, audits."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.models import User
from django.db import transaction

from connectors.sql.params import infer_spec
from dashboards.audit.changes import audit_change
from dashboards.boards.partial_update import apply_changes
from dashboards.identity.access import get_run_for_user, get_saved_queries_for_user
from dashboards.library.queries import create_saved_query
from dashboards.models import QueryRun, SavedQuery, Visualization
from dashboards.pipeline.governance import Origin
from dashboards.pipeline.runs import submit_run

EDITABLE_FIELDS = frozenset({"name", "description", "spec", "query"})
QUERY_RESULT_MAX_AGE_S = 3600


def get_chart_source_for_user(
    user: User, *, run_id: UUID | None = None, query_id: int | None = None
) -> tuple[QueryRun, SavedQuery | None]:
    """The run a chart is drawn from, and its saved query: a run the user made (`run_id`),
    or a saved query's latest result (`query_id`), run with its default parameters when
    there is none younger than an hour. Raises ObjectDoesNotExist when hidden or neither is
    given."""
    if run_id is not None:
        run = get_run_for_user(user, str(run_id))
        return run, run.saved_query
    if query_id is None:
        raise SavedQuery.DoesNotExist("a chart needs a run or a saved query")
    query = get_saved_queries_for_user(user).get(pk=query_id)
    run = submit_run(
        user,
        datasource=query.datasource,
        sql=query.sql,
        origin=Origin.WIDGET,
        max_age_s=QUERY_RESULT_MAX_AGE_S,
        saved_query=query,
    )
    return run, query


def save_query_from_run(user: User, run: QueryRun, *, name: str = "") -> SavedQuery:
    """Save an ad-hoc run's SQL as a query (parameter types inferred from the run's
    values, which become the defaults), so a chart can be drawn from it."""
    parameters = []
    for parameter, value in run.parameters.items():
        spec = infer_spec(parameter, value)
        parameters.append(
            {
                "name": parameter,
                "type": str(spec.type),
                "options": list(spec.options),
                "is_multi": spec.is_multi,
                "default": value,
            }
        )
    return create_saved_query(
        user,
        name=name or f"Query for a chart ({run.created_at:%Y-%m-%d %H:%M})",
        sql=run.sql,
        datasource=run.datasource,
        parameters=parameters,
    )


def create_visualization(
    user: User,
    *,
    query: SavedQuery,
    name: str,
    spec: dict[str, Any],
    description: str = "",
) -> Visualization:
    """Raises ValidationError when the spec does not parse (the chart's columns are checked
    when a figure is built, since a query's columns can change)."""
    with transaction.atomic():
        visualization = Visualization(
            query=query, name=name, spec=spec, description=description, owner=user
        )
        visualization.full_clean()
        visualization.save()
        audit_change(user, "visualization.create", visualization_id=visualization.pk, name=name)
    return visualization


def update_visualization(
    user: User, visualization: Visualization, *, changes: dict[str, Any]
) -> Visualization:
    """Apply `changes` (keys of EDITABLE_FIELDS; others raise KeyError)."""
    apply_changes(visualization, changes, EDITABLE_FIELDS)
    with transaction.atomic():
        visualization.full_clean()
        visualization.save()
        audit_change(
            user,
            "visualization.update",
            visualization_id=visualization.pk,
            fields=sorted(changes),
        )
    return visualization


def delete_visualization(user: User, visualization: Visualization) -> None:
    """Deletes it and the widgets showing it."""
    with transaction.atomic():
        audit_change(
            user, "visualization.delete", visualization_id=visualization.pk, name=visualization.name
        )
        visualization.delete()
