from __future__ import annotations

from django.contrib.auth.views import LogoutView
from django.urls import path
from django.views.generic import RedirectView

from dashboards.pages.workspace import accounts, datasources, downloads, editor, history, library

app_name = "workspace"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="workspace:editor"), name="home"),
    path("setup/", accounts.setup, name="setup"),
    path("login/", accounts.WorkspaceLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(next_page="workspace:login"), name="logout"),
    path("editor/", editor.new_query, name="editor"),
    path("queries/", library.query_list, name="queries"),
    path("queries/<int:query_id>/", editor.saved_query, name="query"),
    path("queries/<int:query_id>/row", library.query_row, name="query_row"),
    path("queries/<int:query_id>/versions/", library.versions, name="query_versions"),
    path("history/", history.history, name="history"),
    path("runs/<uuid:run_id>/download/<str:fmt>", downloads.download, name="download"),
    path("datasources/", datasources.datasource_list, name="datasources"),
    path("datasources/new", datasources.datasource_new, name="datasource_new"),
]
