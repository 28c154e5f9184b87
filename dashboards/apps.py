from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save


class DashboardsConfig(AppConfig):
    name = "dashboards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dashboards.identity.wire_credentials import record_password_change

        post_save.connect(
            record_password_change,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="dashboards.identity.wire_credentials",
        )
