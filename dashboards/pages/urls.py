from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("dashboards.pages.workspace.urls")),
    path("", include("dashboards.pages.boards.urls")),
]
