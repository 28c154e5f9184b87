from __future__ import annotations

from django.urls import path

from dashboards.boards_web import data, editing, exports, pages, public, share, viz

app_name = "boards"

urlpatterns = [
    path("dashboards/", pages.dashboard_list, name="list"),
    path("dashboards/new", pages.dashboard_create, name="create"),
    path("dashboards/<int:dashboard_id>/", pages.dashboard_page, name="dashboard"),
    path("dashboards/<int:dashboard_id>/data", data.dashboard_data, name="data"),
    path("dashboards/<int:dashboard_id>/layout", editing.layout, name="layout"),
    path("dashboards/<int:dashboard_id>/widgets", editing.widgets, name="widgets"),
    path("dashboards/<int:dashboard_id>/widgets/<int:widget_id>", editing.widget, name="widget"),
    path(
        "dashboards/<int:dashboard_id>/widgets/<int:widget_id>.csv",
        data.widget_csv,
        name="widget_csv",
    ),
    path("dashboards/<int:dashboard_id>/settings", editing.settings, name="settings"),
    path("dashboards/<int:dashboard_id>/delete", editing.delete, name="delete"),
    path("dashboards/<int:dashboard_id>/share", share.share, name="share"),
    path("dashboards/<int:dashboard_id>/export.<str:fmt>", exports.export, name="export"),
    path("public/dashboards/<str:token>/", public.public_page, name="public"),
    path("public/dashboards/<str:token>/data", data.public_data, name="public_data"),
    path("embed/dashboards/<str:token>/", public.embed_page, name="embed"),
    path("embed/dashboards/<str:token>/data", data.embed_data, name="embed_data"),
    path("visualizations/new", viz.new_visualization, name="viz_new"),
    path("visualizations/preview", viz.preview, name="viz_preview"),
    path("visualizations/save", viz.save, name="viz_save"),
    path("visualizations/<int:visualization_id>/", viz.visualization, name="visualization"),
    path("visualizations/<int:visualization_id>/delete", viz.delete, name="viz_delete"),
]
