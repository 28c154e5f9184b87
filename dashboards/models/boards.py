"""Visualizations, dashboards and what hangs off a dashboard: widgets, filters, shares and
public links.

A visualization is a chart spec over a saved query's result. A dashboard is a 12-column grid
of widgets (a visualization or a markdown text box). Dashboard filters feed the parameters
of several widgets' queries at once, through each widget's `parameter_bindings`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from dashboards.charts import ChartError, parse_spec
from dashboards.models.queries import SavedQuery
from dashboards.models.workspace import QueryVersion

GRID_COLUMNS = 12
MAX_WIDGET_HEIGHT = 48


class Visualization(models.Model):
    """A chart spec (`dashboards.charts.ChartSpec` as JSON) drawn from a saved query."""

    # stable across instances: export/import updates the visualization with the same uid
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    query = models.ForeignKey(SavedQuery, on_delete=models.CASCADE, related_name="visualizations")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    spec = models.JSONField(default=dict)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            self.spec = parse_spec(self.spec).model_dump(mode="json", exclude_defaults=True)
        except ChartError as error:
            where = f" ({error.field})" if error.field else ""
            raise ValidationError({"spec": f"{error.message}{where}"}) from error


class Dashboard(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dashboards"
    )
    # the auto-refresh a viewer starts with (0: off); viewers may pick another
    refresh_interval_s = models.PositiveIntegerField(default=0)
    # how old a cached widget result may be before opening the dashboard runs the query
    max_age_s = models.PositiveIntegerField(default=3600)
    # part of every signed embed URL: bumping it revokes them all at once
    embed_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class FilterType(models.TextChoices):
    """The parameter types of `connectors.sql.params.ParameterType`, by the same values."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    DATE_RANGE = "date_range"
    ENUM = "enum"


class DashboardFilter(models.Model):
    """One input above the grid; widgets bind their query parameters to it by `name`."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="filters")
    name = models.CharField(
        max_length=63,
        validators=[RegexValidator(r"^[A-Za-z_]\w*$", "letters, digits and _, not first a digit")],
    )
    label = models.CharField(max_length=200, blank=True)
    type = models.CharField(max_length=16, choices=FilterType.choices)
    options = models.JSONField(default=list, blank=True)  # the choices of an enum
    is_multi = models.BooleanField(default=False)
    default = models.JSONField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["dashboard", "name"], name="one_filter_name_per_board")
        ]

    def __str__(self) -> str:
        return self.label or self.name

    def clean(self) -> None:
        if not isinstance(self.options, list) or not all(
            isinstance(option, str | int | float) for option in self.options
        ):
            raise ValidationError({"options": "a list of values"})
        if self.type == FilterType.ENUM and not self.options:
            raise ValidationError({"options": "an enum filter needs options"})
        if self.is_multi and self.type != FilterType.ENUM:
            raise ValidationError({"is_multi": "only an enum filter can take several values"})


class WidgetKind(models.TextChoices):
    VISUALIZATION = "visualization"
    TEXT = "text"


class Widget(models.Model):
    """A box on the grid: position and size in grid cells (12 columns)."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="widgets")
    kind = models.CharField(max_length=16, choices=WidgetKind.choices)
    visualization = models.ForeignKey(
        Visualization, null=True, blank=True, on_delete=models.CASCADE, related_name="widgets"
    )
    title = models.CharField(max_length=200, blank=True)  # overrides the visualization's name
    text = models.TextField(blank=True)  # markdown of a text widget
    x = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(GRID_COLUMNS - 1)]
    )
    y = models.PositiveSmallIntegerField(default=0)
    width = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(GRID_COLUMNS)]
    )
    height = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(MAX_WIDGET_HEIGHT)]
    )
    # query parameter → {"filter": dashboard filter name} or {"value": a fixed value}
    parameter_bindings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["y", "x", "pk"]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        return self.visualization.name if self.visualization else ""

    def clean(self) -> None:
        if self.kind == WidgetKind.VISUALIZATION and self.visualization_id is None:
            raise ValidationError({"visualization": "a visualization widget needs one"})
        if self.kind == WidgetKind.TEXT and self.visualization_id is not None:
            raise ValidationError({"visualization": "a text widget shows no visualization"})
        if self.x + self.width > GRID_COLUMNS:
            raise ValidationError({"width": f"the grid has {GRID_COLUMNS} columns"})
        _check_bindings(self.parameter_bindings)


def _check_bindings(bindings: Any) -> None:
    if not isinstance(bindings, dict):
        raise ValidationError({"parameter_bindings": "an object of parameter → binding"})
    for parameter, binding in bindings.items():
        if (
            not isinstance(binding, dict)
            or len(binding) != 1
            or not (isinstance(binding.get("filter"), str) or "value" in binding)
        ):
            raise ValidationError(
                {"parameter_bindings": f'{parameter}: {{"filter": name}} or {{"value": value}}'}
            )


class SharePermission(models.TextChoices):
    VIEW = "view"
    EDIT = "edit"


class DashboardShare(models.Model):
    """A dashboard shared with one user or one group."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE)
    permission = models.CharField(max_length=8, choices=SharePermission.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, group__isnull=True)
                | models.Q(user__isnull=True, group__isnull=False),
                name="share_with_user_or_group",
            ),
            models.UniqueConstraint(
                fields=["dashboard", "user"],
                condition=models.Q(user__isnull=False),
                name="one_share_per_user",
            ),
            models.UniqueConstraint(
                fields=["dashboard", "group"],
                condition=models.Q(group__isnull=False),
                name="one_share_per_group",
            ),
        ]


class PublicLink(models.Model):
    """A read-only link that works logged out. Only the token's SHA-256 is stored; the
    token is shown once. Widgets run as `created_by`, so the link never reaches data its
    creator cannot."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="public_links")
    token_hash = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=8)  # the first characters, to tell links apart
    # filter name → the values a viewer may pick; a filter not named stays at its default
    allowed_filter_values = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def clean(self) -> None:
        values = self.allowed_filter_values
        if not isinstance(values, dict) or not all(
            isinstance(allowed, list) for allowed in values.values()
        ):
            raise ValidationError({"allowed_filter_values": "an object of filter → [values]"})


class PinnedQuery(models.Model):
    """The query version a public link serves for one widget, fixed when the link was
    published (or published again): later edits of the saved query, by whoever owns it,
    do not reach the link's viewers. A widget without a pin is not served by the link."""

    link = models.ForeignKey(PublicLink, on_delete=models.CASCADE, related_name="pins")
    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(QueryVersion, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "widget"], name="one_pin_per_link_widget")
        ]
