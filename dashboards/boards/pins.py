"""What a public link or an embed serves: for each widget, the saved query's version that
was current when its publisher published (pinned), never the query as edited since.

A dashboard may show charts over other users' saved queries, and its public link runs them
as the publisher. Without pins, the owner of such a query could change its SQL and have it
run, anonymously viewable, with the publisher's rights. Pins make publishing the decision:
a link serves the SQL its publisher saw, until that publisher publishes again; a widget
added later is not served by the link at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dashboards.library.versions import record_version
from dashboards.models import Dashboard, PinnedQuery, PublicLink, QueryVersion, SavedQuery, Widget


@dataclass(frozen=True)
class PinnedSource:
    """The SQL one published widget runs."""

    query: SavedQuery
    version_number: int
    sql: str
    datasource_name: str
    parameter_specs: list[dict[str, Any]]

    @classmethod
    def of(cls, version: QueryVersion) -> PinnedSource:
        return cls(
            query=version.query,
            version_number=version.number,
            sql=version.sql,
            datasource_name=version.datasource,
            parameter_specs=list(version.parameters),
        )


Pins = dict[int, PinnedSource]  # widget id → its pinned query


def current_versions(dashboard: Dashboard) -> dict[int, QueryVersion]:
    """Each visualization widget's query as it is now, as a version (widget id → version).
    Records a version when the query's state has none yet; call inside a transaction."""
    versions: dict[int, QueryVersion] = {}
    widgets = dashboard.widgets.exclude(visualization=None).select_related(
        "visualization__query__datasource"
    )
    for widget in widgets:
        assert widget.visualization is not None  # excluded above
        query = widget.visualization.query
        version = record_version(None, query, note="published") or query.versions.first()
        assert version is not None  # record_version made one if there was none
        versions[widget.pk] = version
    return versions


def pin_link(link: PublicLink) -> None:
    """Pin every widget of the link's dashboard to its query's current version, replacing
    the link's pins. Call inside the transaction that publishes."""
    link.pins.all().delete()
    PinnedQuery.objects.bulk_create(
        PinnedQuery(link=link, widget_id=widget_id, version=version)
        for widget_id, version in current_versions(link.dashboard).items()
    )


def link_pins(link: PublicLink) -> Pins:
    pins = link.pins.select_related("version__query")
    return {pin.widget_id: PinnedSource.of(pin.version) for pin in pins}


def embed_pin_ids(dashboard: Dashboard) -> dict[str, int]:
    """What an embed token carries: widget id (as text, a JSON key) → version id."""
    return {str(widget_id): v.pk for widget_id, v in current_versions(dashboard).items()}


def embed_pins(pin_ids: Mapping[str, int]) -> Pins:
    """The pins an embed token carries; a version deleted since (with its query) pins
    nothing."""
    versions = QueryVersion.objects.filter(pk__in=set(pin_ids.values())).select_related("query")
    by_id = {version.pk: PinnedSource.of(version) for version in versions}
    return {
        int(widget_id): by_id[version_id]
        for widget_id, version_id in pin_ids.items()
        if version_id in by_id
    }


def stale_widgets(dashboard: Dashboard, pins: Pins) -> list[Widget]:
    """The visualization widgets the pins do not serve as their queries now are: unpinned,
    or whose query changed since it was pinned. Publishing again serves them as they are."""
    stale = []
    for widget in dashboard.widgets.exclude(visualization=None).select_related(
        "visualization__query"
    ):
        assert widget.visualization is not None
        pin = pins.get(widget.pk)
        query = widget.visualization.query
        if pin is None or pin.query.pk != query.pk or pin.sql != query.sql:
            stale.append(widget)
    return stale
