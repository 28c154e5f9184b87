"""One request loads every widget of a dashboard: a server-sent event stream.

The stream submits each widget's query (a fresh enough cached result answers at once and
never touches the broker; identical work in flight is joined, so many viewers cause one
execution per widget), sends each widget's figure as soon as its result is there, and
ends with a `done` event. A widget that fails sends its own error; the others go on.

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

from dashboards.boards.figures import CrossFilter, applicable_filters, click_target, widget_figure
from dashboards.boards.filters import widget_parameters
from dashboards.charts import ChartError, parse_spec
from dashboards.models import Dashboard, QueryRun, ResultEntry, RunStatus, Widget, WidgetKind
from dashboards.models.queries import ACTIVE_STATUSES
from dashboards.pipeline.governance import Origin
from dashboards.pipeline.result_store import ResultMissing
from dashboards.pipeline.runs import submit_run

logger = logging.getLogger(__name__)

POLL_S = 0.1
KEEPALIVE_S = 15.0
WIDGET_WAIT_S = 330.0

Event = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class BoardView:
    """One view of a dashboard: whose rights run the queries, with which filter values
    and cross-filters, accepting cached results up to `max_age_s` old."""

    dashboard: Dashboard
    run_as: User
    filter_values: dict[str, Any]
    max_age_s: float
    cross_filters: tuple[CrossFilter, ...] = field(default=())


def data_widgets(dashboard: Dashboard, first: Sequence[int] = ()) -> list[Widget]:
    """The dashboard's visualization widgets, those in `first` (the ones on screen) first."""
    widgets = list(
        dashboard.widgets.filter(kind=WidgetKind.VISUALIZATION).select_related(
            "visualization__query__datasource"
        )
    )
    rank = {widget_id: index for index, widget_id in enumerate(first)}
    return sorted(widgets, key=lambda w: (rank.get(w.pk, len(rank)), w.y, w.x, w.pk))


def submit_widget_run(view: BoardView, widget: Widget) -> QueryRun:
    visualization = widget.visualization
    assert visualization is not None  # data_widgets selects visualization widgets only
    query = visualization.query
    return submit_run(
        view.run_as,
        datasource=query.datasource,
        sql=query.sql,
        origin=Origin.WIDGET,
        parameters=widget_parameters(widget, view.filter_values),
        max_age_s=view.max_age_s,
        saved_query=query,
    )


def widget_payload(view: BoardView, widget: Widget, run: QueryRun) -> dict[str, Any]:
    """What the page needs to draw the widget from its ended run, or its error."""
    base: dict[str, Any] = {"id": widget.pk, "run_id": str(run.pk)}
    if run.status != RunStatus.SUCCEEDED:
        return {**base, "status": "error", "error": run.error_message or str(run.status)}
    entry = ResultEntry.objects.filter(pk=run.fingerprint).first()
    visualization = widget.visualization
    assert visualization is not None
    if entry is None:
        return {**base, "status": "error", "error": "the result is no longer stored; refresh"}
    columns = [column["name"] for column in entry.columns]
    filters = applicable_filters(widget.pk, columns, view.cross_filters)
    try:
        figure = widget_figure(visualization.spec, run.fingerprint, filters)
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
        "is_cached": run.is_cached,
        "click": {"column": target.column, "field": target.point_field} if target else None,
        "filtered_by": [f.as_json() for f in filters],
    }


def _guarded(view: BoardView, widget: Widget, run: QueryRun | None) -> dict[str, Any]:
    """The payload, or the widget's own error: one broken widget must not end the stream
    that carries the others, whatever went wrong in it."""
    started = time.perf_counter()
    try:
        if run is None:
            run = submit_widget_run(view, widget)
            if run.status in ACTIVE_STATUSES:
                return {"id": widget.pk, "status": "running", "run_id": str(run.pk)}
        payload = widget_payload(view, widget, run)
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
    pending: dict[str, int] = {}
    for widget in widgets.values():
        payload = _guarded(view, widget, None)
        if payload["status"] == "running":
            pending[payload["run_id"]] = widget.pk
        yield "widget", payload
    last_sent = time.monotonic()
    while pending and time.monotonic() - started < wait_s:
        time.sleep(POLL_S)
        ended = QueryRun.objects.filter(pk__in=list(pending)).exclude(status__in=ACTIVE_STATUSES)
        for run in ended:
            widget = widgets[pending.pop(str(run.pk))]
            yield "widget", _guarded(view, widget, run)
            last_sent = time.monotonic()
        if time.monotonic() - last_sent > KEEPALIVE_S:
            yield None
            last_sent = time.monotonic()
    for run_id, widget_id in pending.items():
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
