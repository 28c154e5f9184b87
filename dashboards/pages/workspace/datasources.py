"""Data sources: the list, and adding one (administrators; the form's "test connection"
asks the JSON API)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from connectors.errors import ConnectorError
from dashboards.catalog.datasources import create_datasource
from dashboards.identity.access import get_datasources_for_user
from dashboards.models import Engine
from dashboards.pages.workspace.forms import DataSourceForm


def _is_staff(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_active and getattr(user, "is_staff", False))


@login_required
@require_GET
def datasource_list(request: HttpRequest) -> HttpResponse:
    context = {
        "datasources": get_datasources_for_user(request.user),
        "form": DataSourceForm(),
        "nav": "datasources",
    }
    return render(request, "workspace/datasources/list.html", context)


@user_passes_test(lambda user: _is_staff(user), login_url="workspace:login")
@require_http_methods(["GET", "POST"])
def datasource_new(request: HttpRequest) -> HttpResponse:
    form = DataSourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            datasource = create_datasource(
                data["name"], engine=Engine(data["engine"]), path=data["path"], dsn=data["dsn"]
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except ConnectorError as error:
            form.add_error(None, f"cannot connect: {error.message}")
        else:
            messages.success(request, f"Data source {datasource.name} added.")
            return redirect("workspace:datasources")
    return render(request, "workspace/datasources/new.html", {"form": form, "nav": "datasources"})
