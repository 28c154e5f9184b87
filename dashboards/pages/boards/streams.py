"""The one request that loads a dashboard's widgets (an event stream), for each kind of
viewer, and a widget's data as CSV."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from dashboards.boards.access import get_dashboard_for_user, get_public_link
from dashboards.boards.errors import EmbedTokenInvalid, FilterValueError
from dashboards.boards.pins import link_pins
from dashboards.boards.sharing import EmbedGrant, read_embed_token, touch_public_link
from dashboards.boards.stream import BoardView, data_widgets, sse_chunks, wait_for_widget_run
from dashboards.identity.access import acting_user
from dashboards.models import Dashboard, PublicLink, RunStatus
from dashboards.pages.boards.viewing import first_widgets, shared_view, user_view
from dashboards.pipeline.downloads import stream_csv, streaming_response
from dashboards.pipeline.result_store import ResultMissing

CSV_WAIT_S = 120.0


def event_stream(request: HttpRequest, view: BoardView) -> StreamingHttpResponse:
    response = streaming_response(
        request, sse_chunks(view, first=first_widgets(request)), "text/event-stream"
    )
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events on as they come
    return response


def _bad_filter(error: FilterValueError) -> JsonResponse:
    return JsonResponse({"error": error.message, "field": error.field}, status=400)


@login_required
@require_GET
def dashboard_data(request: HttpRequest, dashboard_id: int) -> HttpResponseBase:
    try:
        dashboard = get_dashboard_for_user(request.user, dashboard_id)
        view = user_view(request, dashboard, acting_user(request))
    except Dashboard.DoesNotExist as error:
        raise Http404("no such dashboard") from error
    except FilterValueError as error:
        return _bad_filter(error)
    return event_stream(request, view)


def public_link_or_404(token: str) -> PublicLink:
    try:
        link = get_public_link(token)
    except PublicLink.DoesNotExist as error:
        raise Http404("no such link") from error
    touch_public_link(link)
    return link


def embed_grant_or_404(token: str) -> EmbedGrant:
    try:
        return read_embed_token(token)
    except EmbedTokenInvalid as error:
        raise Http404(error.message) from error


def embed_allowed_values(grant: EmbedGrant) -> dict[str, list[Any]]:
    """What the embed's viewer may pick: the allowed values plus the fixed ones."""
    allowed = {name: list(values) for name, values in grant.allowed_filter_values.items()}
    for name, value in grant.filter_values.items():
        allowed.setdefault(name, []).extend(value if isinstance(value, list) else [value])
    return allowed


def public_board_view(request: HttpRequest, link: PublicLink) -> BoardView:
    """Raises FilterValueError for values the link does not allow."""
    return shared_view(
        request,
        link.dashboard,
        run_as=link.created_by,
        allowed=link.allowed_filter_values,
        pins=link_pins(link),
    )


def embed_board_view(request: HttpRequest, grant: EmbedGrant) -> BoardView:
    """Raises FilterValueError for values the embed does not allow."""
    return shared_view(
        request,
        grant.dashboard,
        run_as=grant.run_as,
        allowed=embed_allowed_values(grant),
        fixed=grant.filter_values,
        pins=grant.pins,
    )


@require_GET
def public_data(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        return event_stream(request, public_board_view(request, public_link_or_404(token)))
    except FilterValueError as error:
        return _bad_filter(error)


@require_GET
def embed_data(request: HttpRequest, token: str) -> HttpResponseBase:
    try:
        return event_stream(request, embed_board_view(request, embed_grant_or_404(token)))
    except FilterValueError as error:
        return _bad_filter(error)


@login_required
@require_GET
def widget_csv(request: HttpRequest, dashboard_id: int, widget_id: int) -> HttpResponseBase:
    """The widget's query result under the current filters, as CSV (whole, streamed)."""
    try:
        dashboard = get_dashboard_for_user(request.user, dashboard_id)
        view = user_view(request, dashboard, acting_user(request))
    except Dashboard.DoesNotExist as error:
        raise Http404("no such dashboard") from error
    except FilterValueError as error:
        return _bad_filter(error)
    widget = next((w for w in data_widgets(dashboard) if w.pk == widget_id), None)
    if widget is None:
        raise Http404("no such widget")
    run = wait_for_widget_run(view, widget, wait_s=CSV_WAIT_S)
    if run.status != RunStatus.SUCCEEDED:
        message = run.error_message or f"the query is {run.status}; try again shortly"
        return JsonResponse({"error": message}, status=409)
    try:
        chunks = stream_csv(run.fingerprint)
        first = next(chunks)
    except ResultMissing as error:
        return JsonResponse({"error": str(error)}, status=409)
    response = streaming_response(request, _prepend(first, chunks), "text/csv; charset=utf-8")
    filename = (widget.display_title or f"widget-{widget.pk}").replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
