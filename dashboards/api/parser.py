"""How the API reads a JSON body: as Python's json module does, except for numbers that are
not finite (`Infinity`, `NaN`, `1e999`), which no column, limit or JSON field can hold. Each
is read as its text instead: a number field then refuses it by name (400), a query parameter
of type number says it must be a finite number, and whatever is stored stays valid JSON."""

from __future__ import annotations

import json
import math
from typing import Any, cast

from django.http import HttpRequest
from ninja.parser import Parser


def _finite_or_text(text: str) -> float | str:
    number = float(text)
    return number if math.isfinite(number) else text


class FiniteJSONParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(
            dict[str, Any],
            json.loads(request.body, parse_float=_finite_or_text, parse_constant=str),
        )
