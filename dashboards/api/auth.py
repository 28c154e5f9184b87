from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja.security import HttpBearer

from dashboards.identity.tokens import authenticate_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <personal access token>`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = authenticate_token(token)
        if user is not None:
            request.user = user
        return user


def acting_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (every route requires authentication)."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        raise PermissionError("the API authenticates every request before its view runs")
    return user
