"""The REST API under /api/, authenticated by session or a personal access token."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

from dashboards.api.auth import TokenAuth
from dashboards.api.dashboards import router as dashboards_router
from dashboards.api.datasources import router as datasources_router
from dashboards.api.queries import router as queries_router
from dashboards.api.runs import router as runs_router
from dashboards.api.visualizations import router as visualizations_router

api = NinjaAPI(
    title="dashwire",
    version="1",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    docs_url="/docs",
)
api.add_router("/datasources", datasources_router)
api.add_router("/runs", runs_router)
api.add_router("/queries", queries_router)
api.add_router("/visualizations", visualizations_router)
api.add_router("/dashboards", dashboards_router)
