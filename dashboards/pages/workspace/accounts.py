"""Log in, log out, and the first-run page that creates the administrator."""

from __future__ import annotations

from django.contrib.auth import get_user_model, login
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dashboards.pages.workspace.forms import SetupForm


def has_users() -> bool:
    return get_user_model().objects.exists()


class WorkspaceLoginView(LoginView):
    template_name = "workspace/login.html"
    redirect_authenticated_user = True
    next_page = "workspace:editor"

    def dispatch(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not has_users():
            return redirect("workspace:setup")
        return super().dispatch(request, *args, **kwargs)


@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Only while no user exists: create the administrator and log them in."""
    if has_users():
        return redirect("workspace:login")
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            if has_users():  # someone else finished the setup meanwhile
                return redirect("workspace:login")
            admin = get_user_model().objects.create_superuser(
                data["username"], data.get("email") or "", data["password"]
            )
        login(request, admin, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("workspace:datasources")
    return render(request, "workspace/setup.html", {"form": form})
