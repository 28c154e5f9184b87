from __future__ import annotations

from django.contrib.auth.views import LogoutView
from django.urls import path
from django.views.generic import RedirectView

from dashboards.web import (
    accounts,
    catalog,
    datasources,
    downloads,
    editor,
    history,
    library,
    parameters,
)

app_name = "web"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="web:editor"), name="home"),
    path("setup/", accounts.setup, name="setup"),
    path("login/", accounts.WorkspaceLoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(next_page="web:login"), name="logout"),
    path("editor/", editor.new_query, name="editor"),
    path("editor/run", editor.run, name="editor_run"),
    path("editor/format", editor.format_statement, name="editor_format"),
    path("editor/draft", editor.autosave_draft, name="editor_draft"),
    path("queries/", library.query_list, name="queries"),
    path("queries/save", library.save, name="query_save"),
    path("queries/<int:query_id>/", editor.saved_query, name="query"),
    path("queries/<int:query_id>/options.json", parameters.parameter_options, name="query_options"),
    path("queries/<int:query_id>/fork", library.fork, name="query_fork"),
    path("queries/<int:query_id>/trash", library.trash, name="query_trash"),
    path("queries/<int:query_id>/untrash", library.untrash, name="query_untrash"),
    path("queries/<int:query_id>/versions/", library.versions, name="query_versions"),
    path(
        "queries/<int:query_id>/versions/<int:number>/restore",
        library.restore,
        name="query_restore",
    ),
    path("history/", history.history, name="history"),
    path("runs/<uuid:run_id>/download/<str:fmt>", downloads.download, name="download"),
    path("datasources/", datasources.datasource_list, name="datasources"),
    path("datasources/new", datasources.datasource_new, name="datasource_new"),
    path("datasources/test", datasources.datasource_test, name="datasource_test"),
    path("datasources/<str:name>/catalog.json", catalog.catalog_json, name="catalog"),
]
