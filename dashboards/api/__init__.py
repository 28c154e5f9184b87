"""The REST API under /api/, authenticated by session or a personal access token."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from dashboards.api.datasources import router as datasources_router
from dashboards.api.queries import router as queries_router
from dashboards.api.runs import router as runs_router
from dashboards.tokens import authenticate_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


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
