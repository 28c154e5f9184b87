"""The one place where the dashboard pages' JSON endpoints turn errors into responses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from pydantic import ValidationError as SchemaError

from dashboards.boards.errors import BoardError
from dashboards.web.jsonio import BadRequest

View = Callable[..., HttpResponse]


def validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


def json_errors(view: View) -> View:
    """Unknown or hidden objects → 404, not allowed → 403, bad input → 400 with a message
    (and the field when known)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ObjectDoesNotExist:
            return JsonResponse({"error": "not found"}, status=404)
        except PermissionDenied as error:
            return JsonResponse({"error": str(error) or "not allowed"}, status=403)
        except ValidationError as error:
            return JsonResponse({"error": validation_message(error)}, status=400)
        except BoardError as error:
            return JsonResponse({"error": error.message, "field": error.field}, status=400)
        except SchemaError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            return JsonResponse({"error": f"{where}: {first['msg']}", "field": where}, status=400)
        except (BadRequest, KeyError) as error:
            return JsonResponse({"error": str(error)}, status=400)

    return wrapped
