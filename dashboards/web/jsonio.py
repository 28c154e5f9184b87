"""JSON in and out for the workspace's fetch() endpoints (the REST API lives in api/)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse


class BadRequest(Exception):
    """The request body is not what the endpoint takes; the message says why."""


def read_json(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object body. Raises BadRequest when it is not one."""
    try:
        body = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadRequest(f"the body is not JSON: {error}") from error
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def json_error(message: str, *, status: int = 400, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


def text_field(body: dict[str, Any], name: str, *, default: str | None = None) -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a string")
    return value
