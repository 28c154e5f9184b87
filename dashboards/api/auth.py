"""Who calls the API: a personal access token (`Authorization: Bearer …`, no CSRF: a
cross-site page cannot send that header), or the session of the logged-in pages, whose
unsafe requests must carry Django's CSRF token (`X-CSRFToken`)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from dashboards.identity.tokens import authenticate_token
from dashboards.pipeline.governance import Origin


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <personal access token>`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


API_AUTH = [TokenAuth(), SessionAuth(csrf=True)]


def request_origin(request: HttpRequest) -> Origin:
    """Runs asked for by a token client are the API's; by the pages' session, the editor's."""
    return Origin.API if "Authorization" in request.headers else Origin.EDITOR
