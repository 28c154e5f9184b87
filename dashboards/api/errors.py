"""The one place where the REST API turns errors into responses: a status and a JSON body
with `detail` (a sentence), plus `field` when one input is at fault, or `position` (1-based,
in the SQL as written) and `sqlstate` for an error about a statement."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as RequestInvalid
from pydantic import ValidationError as SchemaError

from connectors.errors import ConnectionFailed, ConnectorError
from dashboards.boards.errors import BoardError
from dashboards.charts import ChartError
from dashboards.pipeline.result_store import ResultMissing


def not_found(what: str) -> HttpError:
    return HttpError(404, f"{what} not found")


def validation_message(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return "; ".join(error.messages)


def _validation_field(error: ValidationError) -> str | None:
    fields = list(error.message_dict) if hasattr(error, "error_dict") else []
    return fields[0] if len(fields) == 1 and fields[0] != "__all__" else None


def _missing(error: ObjectDoesNotExist) -> tuple[int, dict[str, Any]]:
    model = type(error).__qualname__.split(".")[0]
    what = model.lower() if model != "ObjectDoesNotExist" else "object"
    return 404, {"detail": f"{what} not found"}


def _denied(error: PermissionDenied) -> tuple[int, dict[str, Any]]:
    return 403, {"detail": str(error) or "not allowed"}


def _invalid(error: ValidationError) -> tuple[int, dict[str, Any]]:
    return 400, {"detail": validation_message(error), "field": _validation_field(error)}


def _schema(error: SchemaError) -> tuple[int, dict[str, Any]]:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return 400, {"detail": f"{where}: {first['msg']}" if where else first["msg"], "field": where}


# where a request value came from: the first part of django-ninja's `loc`; a body's second
# part is the name of the view's body argument, not a field
_SOURCES = frozenset({"body", "query", "path", "form", "header", "cookie", "file"})


def _request_field(loc: Sequence[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[2:] if parts[0] == "body" and len(parts) > 1 else parts[1:]
    return ".".join(str(part) for part in parts)


def _request(error: RequestInvalid) -> tuple[int, dict[str, Any]]:
    """A request whose path, query string or body does not match its schema: 400 naming
    the first field at fault, with every problem in `errors`."""
    first = error.errors[0] if error.errors else {"loc": [], "msg": "invalid request"}
    field = _request_field(first.get("loc", []))
    detail = f"{field}: {first['msg']}" if field else str(first["msg"])
    problems = [
        {"field": _request_field(item.get("loc", [])), "message": str(item.get("msg", ""))}
        for item in error.errors
    ]
    return 400, {"detail": detail, "field": field or None, "errors": problems}


def _board(error: BoardError) -> tuple[int, dict[str, Any]]:
    return 400, {"detail": error.message, "field": error.field}


def _chart(error: ChartError) -> tuple[int, dict[str, Any]]:
    return 400, {"detail": error.message, "field": error.field}


def _sql(error: ConnectorError) -> tuple[int, dict[str, Any]]:
    status = 502 if isinstance(error, ConnectionFailed) else 400
    return status, {"detail": error.message, "position": error.position, "sqlstate": error.sqlstate}


def _gone(error: ResultMissing) -> tuple[int, dict[str, Any]]:
    return 410, {"detail": str(error)}


Translation = Callable[[Any], tuple[int, dict[str, Any]]]

TRANSLATIONS: dict[type[Exception], Translation] = {
    ObjectDoesNotExist: _missing,
    PermissionDenied: _denied,
    ValidationError: _invalid,
    SchemaError: _schema,
    RequestInvalid: _request,
    BoardError: _board,
    ChartError: _chart,
    ConnectorError: _sql,
    ResultMissing: _gone,
}


def translate(error: Exception) -> tuple[int, dict[str, Any]]:
    """The status and body for `error`, by the nearest of its classes in TRANSLATIONS."""
    for kind in type(error).__mro__:
        if kind in TRANSLATIONS:
            return TRANSLATIONS[kind](error)
    raise error


def install_error_handlers(api: NinjaAPI) -> None:
    """Register the translation of every domain error on `api`, and of requests that do not
    match their schema (400 naming the field, instead of django-ninja's 422)."""

    def handle(request: HttpRequest, error: Exception | type[Exception]) -> HttpResponse:
        # django-ninja passes the raised instance; its type admits a class too
        status, body = (
            translate(error) if isinstance(error, Exception) else (500, {"detail": "error"})
        )
        return api.create_response(request, body, status=status)

    for kind in TRANSLATIONS:
        api.add_exception_handler(kind, handle)
