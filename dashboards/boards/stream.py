"""One request loads every widget of a dashboard: a server-sent event stream.

The stream submits each widget's query (a fresh enough cached result answers at once and
never touches the broker; identical work in flight is joined, so many viewers cause one
execution per widget), sends each widget's figure as soon as its result is there, and
ends with a `done` event. A widget that fails sends its own error; the others go on.

A shared view (a public link or an embed: anonymous viewers) runs each widget's pinned
query version and writes nothing per view: a fresh stored result is read without a run or
an audit row; a run already going, or one that failed less than `max_age_s` ago, is
reused; only otherwise is a run submitted, the one its publisher's own view would make.

Events (each `data:` is one JSON object):
- `widget`: {id, status: "ok", figure, refreshed_at, row_count, is_cached, run_id,
  click, filtered_by, server_ms} or {id, status: "error", error, server_ms} or
  {id, status: "running", run_id}
- `done`: {elapsed_ms}
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from connectors.errors import ConnectorError
from dashboards.boards.errors import NotPublished
from dashboards.boards.figures import CrossFilter, applicable_filters, click_target, widget_figure
from dashboards.boards.filters import widget_parameters
from dashboards.boards.pins import Pins
from dashboards.charts import ChartError, parse_spec
from dashboards.models import (
    Dashboard,
    DataSource,
    QueryRun,
    ResultEntry,
    RunStatus,
    SavedQuery,
    Widget,
    WidgetKind,
)
from dashboards.models.queries import ACTIVE_STATUSES
from dashboards.pipeline.governance import Origin, plan_query
from dashboards.pipeline.result_store import ResultMissing, find_fresh_result
from dashboards.pipeline.runs import submit_run

logger = logging.getLogger(__name__)

POLL_S = 0.1
KEEPALIVE_S = 15.0
WIDGET_WAIT_S = 330.0

Event = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class BoardView:
    """One view of a dashboard: whose rights run the queries, with which filter values
    and cross-filters, accepting cached results up to `max_age_s` old. `pins` (a public
    link's or an embed's) make it a shared view: only pinned widgets, in their pinned
    versions; None runs the queries as they are now."""

    dashboard: Dashboard
    run_as: User
    filter_values: dict[str, Any]
    max_age_s: float
    cross_filters: tuple[CrossFilter, ...] = field(default=())
    pins: Pins | None = None

    @property
    def is_shared(self) -> bool:
        return self.pins is not None


@dataclass(frozen=True)
class WidgetQuery:
    """The statement a widget runs in one view."""

    datasource: DataSource
    sql: str
    saved_query: SavedQuery
    parameter_specs: list[dict[str, Any]]


def data_widgets(dashboard: Dashboard, first: Sequence[int] = ()) -> list[Widget]:
    """The dashboard's visualization widgets, those in `first` (the ones on screen) first."""
    widgets = list(
        dashboard.widgets.filter(kind=WidgetKind.VISUALIZATION).select_related(
            "visualization__query__datasource"
        )
    )
    rank = {widget_id: index for index, widget_id in enumerate(first)}
    return sorted(widgets, key=lambda w: (rank.get(w.pk, len(rank)), w.y, w.x, w.pk))


def widget_query(view: BoardView, widget: Widget) -> WidgetQuery:
    """The widget's saved query as it is now, or in a shared view its pinned version.
    Raises NotPublished for a widget the shared view does not serve."""
    visualization = widget.visualization
    assert visualization is not None  # data_widgets selects visualization widgets only
    query = visualization.query
    if view.pins is None:
        return WidgetQuery(query.datasource, query.sql, query, list(query.parameters))
    pin = view.pins.get(widget.pk)
    if pin is None:
        raise NotPublished("this chart was added after the dashboard was published")
    datasource = DataSource.objects.filter(name=pin.datasource_name).first()
    if datasource is None:
        raise NotPublished(f"data source {pin.datasource_name} no longer exists")
    return WidgetQuery(datasource, pin.sql, pin.query, pin.parameter_specs)


def submit_widget_run(view: BoardView, widget: Widget) -> QueryRun:
    """Raises NotPublished for a widget a shared view does not serve."""
    query = widget_query(view, widget)
    return submit_run(
        view.run_as,
        datasource=query.datasource,
        sql=query.sql,
        origin=Origin.WIDGET,
        parameters=widget_parameters(widget, view.filter_values),
        max_age_s=view.max_age_s,
        saved_query=query.saved_query,
        parameter_specs=query.parameter_specs,
    )


def widget_payload(view: BoardView, widget: Widget, run: QueryRun) -> dict[str, Any]:
    """What the page needs to draw the widget from its ended run, or its error."""
    base: dict[str, Any] = {"id": widget.pk, "run_id": str(run.pk)}
    if run.status != RunStatus.SUCCEEDED:
        return {**base, "status": "error", "error": run.error_message or str(run.status)}
    entry = ResultEntry.objects.filter(pk=run.fingerprint).first()
    if entry is None:
        return {**base, "status": "error", "error": "the result is no longer stored; refresh"}
    return result_payload(view, widget, entry, base={**base, "is_cached": run.is_cached})


def result_payload(
    view: BoardView, widget: Widget, entry: ResultEntry, *, base: dict[str, Any]
) -> dict[str, Any]:
    """The widget drawn from a stored result, or its error; `base` carries id, run_id and
    is_cached."""
    visualization = widget.visualization
    assert visualization is not None
    columns = [column["name"] for column in entry.columns]
    filters = applicable_filters(widget.pk, columns, view.cross_filters)
    try:
        figure = widget_figure(visualization.spec, entry.fingerprint, filters)
    except ChartError as error:
        where = f" ({error.field})" if error.field else ""
        return {**base, "status": "error", "error": f"{error.message}{where}"}
    except ResultMissing as error:
        return {**base, "status": "error", "error": str(error)}
    target = click_target(parse_spec(visualization.spec))
    return {
        **base,
        "status": "ok",
        "figure": figure,
        "refreshed_at": entry.created_at,
        "row_count": entry.row_count,
        "click": {"column": target.column, "field": target.point_field} if target else None,
        "filtered_by": [f.as_json() for f in filters],
    }


def _running(widget: Widget, run: QueryRun) -> dict[str, Any]:
    return {"id": widget.pk, "status": "running", "run_id": str(run.pk)}


def _first_payload(view: BoardView, widget: Widget) -> dict[str, Any]:
    """The widget's payload at the start of a load, "running" when its run is going."""
    if view.is_shared:
        return _shared_payload(view, widget)
    run = submit_widget_run(view, widget)
    if run.status in ACTIVE_STATUSES:
        return _running(widget, run)
    return widget_payload(view, widget, run)


def _shared_payload(view: BoardView, widget: Widget) -> dict[str, Any]:
    """A shared view's widget, without writing a row when no run is needed.

    1. Plan the pinned statement as the publisher, unaudited (nothing runs with this plan).
    2. A fresh stored result of its fingerprint: draw it.
    3. The latest run of that fingerprint still going: wait for it; failed less than
       `max_age_s` ago: show its error.
    4. Otherwise submit the run (audited, as any run), as the publisher's view would.
    """
    query = widget_query(view, widget)
    try:
        plan = plan_query(
            view.run_as,
            query.datasource,
            query.sql,
            origin=Origin.WIDGET,
            parameters=widget_parameters(widget, view.filter_values),
            # as submit_run resolves them, so that the fingerprints agree
            parameter_specs=query.parameter_specs or query.saved_query.parameters,
            is_audited=False,
        )
    except ConnectorError as error:
        return {"id": widget.pk, "status": "error", "error": error.message}
    entry = find_fresh_result(plan.fingerprint, view.max_age_s)
    if entry is not None:
        return result_payload(
            view, widget, entry, base={"id": widget.pk, "run_id": None, "is_cached": True}
        )
    latest = QueryRun.objects.filter(fingerprint=plan.fingerprint).order_by("-created_at").first()
    if latest is not None and latest.status in ACTIVE_STATUSES:
        return _running(widget, latest)
    if latest is not None and latest.status == RunStatus.FAILED and _is_recent(latest, view):
        return widget_payload(view, widget, latest)
    run = submit_widget_run(view, widget)
    if run.status in ACTIVE_STATUSES:
        return _running(widget, run)
    return widget_payload(view, widget, run)


def _is_recent(run: QueryRun, view: BoardView) -> bool:
    ended = run.finished_at or run.created_at
    return (timezone.now() - ended).total_seconds() < view.max_age_s


def _guarded(view: BoardView, widget: Widget, run: QueryRun | None) -> dict[str, Any]:
    """The payload, or the widget's own error: one broken widget must not end the stream
    that carries the others, whatever went wrong in it."""
    started = time.perf_counter()
    try:
        payload = _first_payload(view, widget) if run is None else widget_payload(view, widget, run)
    except NotPublished as error:
        payload = {"id": widget.pk, "status": "error", "error": error.message}
    except Exception:
        logger.exception("widget %s of dashboard %s failed", widget.pk, view.dashboard.pk)
        payload = {"id": widget.pk, "status": "error", "error": "this widget failed; see the log"}
    payload["server_ms"] = round((time.perf_counter() - started) * 1000, 2)
    return payload


def widget_events(
    view: BoardView, *, first: Sequence[int] = (), wait_s: float = WIDGET_WAIT_S
) -> Iterator[Event | None]:
    """The events of one load, in the order results become ready; None now and then while
    waiting, for the caller to keep the connection alive.

    1. Submit every widget's run, on-screen widgets first; send cached ones at once.
    2. Poll the runs still going; send each as it ends.
    3. After `wait_s`, send an error for those still running, then `done`.
    """
    started = time.monotonic()
    widgets = {widget.pk: widget for widget in data_widgets(view.dashboard, first)}
    # run id → the widgets waiting for it (a shared view's widgets may share a run)
    pending: dict[str, list[int]] = {}
    for widget in widgets.values():
        payload = _guarded(view, widget, None)
        if payload["status"] == "running":
            pending.setdefault(payload["run_id"], []).append(widget.pk)
        yield "widget", payload
    last_sent = time.monotonic()
    while pending and time.monotonic() - started < wait_s:
        time.sleep(POLL_S)
        ended = QueryRun.objects.filter(pk__in=list(pending)).exclude(status__in=ACTIVE_STATUSES)
        for run in ended:
            for widget_id in pending.pop(str(run.pk)):
                yield "widget", _guarded(view, widgets[widget_id], run)
            last_sent = time.monotonic()
        if time.monotonic() - last_sent > KEEPALIVE_S:
            yield None
            last_sent = time.monotonic()
    for run_id, widget_ids in pending.items():
        for widget_id in widget_ids:
            yield (
                "widget",
                {
                    "id": widget_id,
                    "status": "error",
                    "run_id": run_id,
                    "error": f"still running after {wait_s:g} s; it will show on the next refresh",
                },
            )
    yield "done", {"elapsed_ms": round((time.monotonic() - started) * 1000)}


def encode_event(event: Event | None) -> bytes:
    """One server-sent event; a comment line for None (a keep-alive)."""
    if event is None:
        return b": keep-alive\n\n"
    name, data = event
    body = json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":"))
    return f"event: {name}\ndata: {body}\n\n".encode()


def sse_chunks(view: BoardView, *, first: Sequence[int] = ()) -> Iterator[bytes]:
    # a padding comment first: some proxies hold back a stream's first kilobytes
    yield b": " + b" " * 2048 + b"\n\n"
    for event in widget_events(view, first=first):
        yield encode_event(event)


def wait_for_widget_run(view: BoardView, widget: Widget, *, wait_s: float) -> QueryRun:
    """The widget's run for this view, waited for until it ends or `wait_s` passes."""
    run = submit_widget_run(view, widget)
    deadline = time.monotonic() + wait_s
    while run.status in ACTIVE_STATUSES and time.monotonic() < deadline:
        time.sleep(POLL_S)
        run.refresh_from_db()
    return run
