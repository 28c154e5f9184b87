"""Chart specs turned into plotly figures, with aggregation pushed into DuckDB.

Plain Python (no Django): the web app hands `build_figure` a DuckDB connection on which a
cached result is visible as a relation, and gets back a small figure to send to plotly.js.
"""

from dashboards.charts.build import build_figure
from dashboards.charts.errors import ChartError
from dashboards.charts.propose import propose_chart
from dashboards.charts.spec import ChartSpec, ChartType, parse_spec

__all__ = ["ChartError", "ChartSpec", "ChartType", "build_figure", "parse_spec", "propose_chart"]
