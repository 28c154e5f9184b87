"""The logged-in user of a page request."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


def acting_user(request: HttpRequest) -> User:
    """The user of a request that passed `login_required`; raises PermissionDenied (403)
    otherwise, which only a view missing its decorator can cause."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied("log in first")
    return user
