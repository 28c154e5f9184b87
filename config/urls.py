from django.urls import include, path

from dashboards.api import api
from dashboards.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz),
    path("readyz", readyz),
    path("api/", api.urls),
    path("", include("dashboards.pages.urls")),
]
