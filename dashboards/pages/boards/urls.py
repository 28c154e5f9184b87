from __future__ import annotations

from django.urls import path

from dashboards.pages.boards import dashboards, exports, public, streams, visualizations

app_name = "boards"

urlpatterns = [
    path("dashboards/", dashboards.dashboard_list, name="list"),
    path("dashboards/new", dashboards.dashboard_create, name="create"),
    path("dashboards/<int:dashboard_id>/", dashboards.dashboard_page, name="dashboard"),
    path("dashboards/<int:dashboard_id>/data", streams.dashboard_data, name="data"),
    path(
        "dashboards/<int:dashboard_id>/widgets/<int:widget_id>.csv",
        streams.widget_csv,
        name="widget_csv",
    ),
    path("dashboards/<int:dashboard_id>/export.<str:fmt>", exports.export, name="export"),
    path("public/dashboards/<str:token>/", public.public_page, name="public"),
    path("public/dashboards/<str:token>/data", streams.public_data, name="public_data"),
    path("embed/dashboards/<str:token>/", public.embed_page, name="embed"),
    path("embed/dashboards/<str:token>/data", streams.embed_data, name="embed_data"),
    path("visualizations/new", visualizations.new_visualization, name="viz_new"),
    path(
        "visualizations/<int:visualization_id>/",
        visualizations.visualization,
        name="visualization",
    ),
]
