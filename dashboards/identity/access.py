"""Reads that encode permission: every view, the API and the wire endpoint call these."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest

from dashboards.models import DataSource, QueryRun, SavedQuery

AnyUser = User | AnonymousUser


def get_datasources_for_user(user: AnyUser) -> QuerySet[DataSource]:
    """Data sources the user may query. Until grants exist every active user may use every
    data source; grants will narrow this one function."""
    if not user.is_authenticated or not user.is_active:
        return DataSource.objects.none()
    return DataSource.objects.all()


def get_datasource_for_user(user: AnyUser, name: str) -> DataSource:
    """Raises DataSource.DoesNotExist when it is unknown or not usable by `user`."""
    return get_datasources_for_user(user).get(name=name)


def get_run_for_user(user: AnyUser, run_id: str) -> QueryRun:
    """A run is visible to the user who made it (and to staff). Raises DoesNotExist."""
    runs = QueryRun.objects.select_related("datasource", "execution")
    if not user.is_authenticated:
        return runs.none().get(pk=run_id)
    if not user.is_staff:
        runs = runs.filter(user_id=user.pk)
    return runs.get(pk=run_id)


def get_runs_for_user(user: User) -> QuerySet[QueryRun]:
    """The user's own runs, newest first (a history is personal, also for staff)."""
    return QueryRun.objects.filter(user_id=user.pk).select_related("datasource", "saved_query")


def get_saved_queries_for_user(user: AnyUser) -> QuerySet[SavedQuery]:
    """Saved queries on data sources the user may use, except those in the trash."""
    return SavedQuery.objects.filter(
        datasource__in=get_datasources_for_user(user), trash__isnull=True
    ).select_related("datasource", "owner")


def get_trashed_queries_for_user(user: AnyUser) -> QuerySet[SavedQuery]:
    """Queries in the trash that the user may restore: their own (every one, for staff)."""
    queries = SavedQuery.objects.filter(
        datasource__in=get_datasources_for_user(user), trash__isnull=False
    ).select_related("datasource", "owner", "trash")
    if not getattr(user, "is_staff", False):
        queries = queries.filter(owner_id=user.pk)
    return queries


def can_edit_saved_query(user: AnyUser, query: SavedQuery) -> bool:
    return bool(getattr(user, "is_staff", False)) or query.owner_id == user.pk


def acting_user(request: HttpRequest) -> User:
    """The active user of a request that passed authentication (the API's auth classes or a
    page's `login_required`). Raises PermissionDenied (403) otherwise, which only a view
    missing its check can cause."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied("log in first")
    return user
