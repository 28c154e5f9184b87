"""The one JSON API, under /api/: what token clients call and what the pages' JavaScript
calls (with the session and its CSRF token). Errors are translated in `errors.py`."""

from __future__ import annotations

from ninja import NinjaAPI

from dashboards.api.auth import API_AUTH
from dashboards.api.dashboards import router as dashboards_router
from dashboards.api.datasources import router as datasources_router
from dashboards.api.drafts import router as drafts_router
from dashboards.api.errors import install_error_handlers
from dashboards.api.parser import FiniteJSONParser
from dashboards.api.queries import router as queries_router
from dashboards.api.runs import router as runs_router
from dashboards.api.sharing import router as sharing_router
from dashboards.api.sql import router as sql_router
from dashboards.api.tables import router as tables_router
from dashboards.api.visualizations import router as visualizations_router

api = NinjaAPI(
    title="dashwire",
    version="1",
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
    parser=FiniteJSONParser(),
)
install_error_handlers(api)
api.add_router("/datasources", datasources_router)
api.add_router("/runs", runs_router)
api.add_router("/queries", queries_router)
api.add_router("/drafts", drafts_router)
api.add_router("/sql", sql_router)
api.add_router("/tables", tables_router)
api.add_router("/visualizations", visualizations_router)
api.add_router("/dashboards", dashboards_router)
api.add_router("/dashboards", sharing_router)
