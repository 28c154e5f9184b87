"""Pydantic shapes shared by the dashboards' JSON boundaries: the REST API, the pages'
JSON posts and dashboard export/import."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from dashboards.models import FilterType
from dashboards.models.boards import GRID_COLUMNS, MAX_WIDGET_HEIGHT


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FilterDefinition(_Strict):
    name: str = Field(pattern=r"^[A-Za-z_]\w*$", max_length=63)
    type: FilterType
    label: str = Field(default="", max_length=200)
    options: list[str | int | float] = Field(default_factory=list, max_length=10_000)
    is_multi: bool = False
    default: Any = None


class WidgetPosition(_Strict):
    x: int = Field(ge=0, lt=GRID_COLUMNS)
    y: int = Field(ge=0, le=10_000)
    width: int = Field(ge=1, le=GRID_COLUMNS)
    height: int = Field(ge=1, le=MAX_WIDGET_HEIGHT)


class LayoutItem(WidgetPosition):
    id: int
