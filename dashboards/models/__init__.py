from dashboards.models.accounts import AccessToken
from dashboards.models.audit import AuditEvent
from dashboards.models.catalog import DataSource, Engine
from dashboards.models.queries import Execution, QueryRun, RunStatus, SavedQuery
from dashboards.models.results import ResultEntry

__all__ = [
    "AccessToken",
    "AuditEvent",
    "DataSource",
    "Engine",
    "Execution",
    "QueryRun",
    "ResultEntry",
    "RunStatus",
    "SavedQuery",
]
