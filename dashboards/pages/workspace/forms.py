"""Forms of the server-rendered pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from dashboards.catalog.datasources import check_connection_settings
from dashboards.models import Engine


class SetupForm(forms.Form):
    """The first-run form: the administrator's account."""

    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput)
    password_again = forms.CharField(widget=forms.PasswordInput, label="Password (again)")

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError("that name is taken")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") != data.get("password_again"):
            raise forms.ValidationError("the passwords differ")
        if data.get("password"):
            validate_password(data["password"])
        return data


class DataSourceForm(forms.Form):
    """A new data source: a DuckDB file, a PostgreSQL DSN or a folder of Delta tables."""

    name = forms.CharField(
        max_length=63, help_text="lower-case letters, digits and _; used as the catalog name"
    )
    engine = forms.ChoiceField(choices=Engine.choices)
    path = forms.CharField(
        max_length=1024,
        required=False,
        help_text="DuckDB: the database file; Delta: the folder holding the tables",
    )
    dsn = forms.CharField(
        max_length=2048,
        required=False,
        label="DSN",
        help_text="PostgreSQL: postgresql://user:password@host:5432/database",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("engine"):
            try:
                check_connection_settings(
                    engine=Engine(data["engine"]),
                    path=data.get("path", ""),
                    dsn=data.get("dsn", ""),
                )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    self.add_error(field, problems)
        return data
