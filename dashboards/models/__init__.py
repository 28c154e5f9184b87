from dashboards.models.accounts import AccessToken, WireCredential
from dashboards.models.audit import AuditEvent
from dashboards.models.boards import (
    Dashboard,
    DashboardFilter,
    DashboardShare,
    FilterType,
    PinnedQuery,
    PublicLink,
    SharePermission,
    Visualization,
    Widget,
    WidgetKind,
)
from dashboards.models.catalog import DataSource, Engine, SecuredTable
from dashboards.models.queries import Execution, QueryRun, RunStatus, SavedQuery
from dashboards.models.results import ResultEntry
from dashboards.models.workspace import Draft, QueryTag, QueryTrash, QueryVersion

__all__ = [
    "AccessToken",
    "AuditEvent",
    "Dashboard",
    "DashboardFilter",
    "DashboardShare",
    "DataSource",
    "Draft",
    "Engine",
    "Execution",
    "FilterType",
    "PinnedQuery",
    "PublicLink",
    "QueryRun",
    "QueryTag",
    "QueryTrash",
    "QueryVersion",
    "ResultEntry",
    "RunStatus",
    "SavedQuery",
    "SecuredTable",
    "SharePermission",
    "Visualization",
    "Widget",
    "WidgetKind",
    "WireCredential",
]
