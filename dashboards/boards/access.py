"""Reads that encode who may see and change dashboards and visualizations. Every page, the
API and the public and embedded views go through these.

A dashboard is visible to its owner, to staff, and to the users and groups it is shared
with; editable by its owner, staff, and shares with `edit`. A visualization is visible with
its saved query (`get_saved_queries_for_user`) and editable by its owner and staff.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from dashboards.identity.access import AnyUser, get_saved_queries_for_user
from dashboards.models import (
    Dashboard,
    DashboardShare,
    PublicLink,
    SharePermission,
    Visualization,
)


def _is_staff(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def _shares_of(user: AnyUser) -> QuerySet[DashboardShare]:
    return DashboardShare.objects.filter(Q(user_id=user.pk) | Q(group__user=user.pk))


def get_dashboards_for_user(user: AnyUser) -> QuerySet[Dashboard]:
    """Dashboards the user may open (none for anonymous or inactive users)."""
    if not user.is_authenticated or not user.is_active:
        return Dashboard.objects.none()
    dashboards = Dashboard.objects.select_related("owner")
    if _is_staff(user):
        return dashboards
    shared = _shares_of(user).values("dashboard_id")
    return dashboards.filter(Q(owner_id=user.pk) | Q(pk__in=shared)).distinct()


def can_edit_dashboard(user: AnyUser, dashboard: Dashboard) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if _is_staff(user) or dashboard.owner_id == user.pk:
        return True
    return (
        _shares_of(user).filter(dashboard_id=dashboard.pk, permission=SharePermission.EDIT).exists()
    )


def can_manage_dashboard(user: AnyUser, dashboard: Dashboard) -> bool:
    """Sharing, public links, embedding and deleting: the owner and staff only."""
    return bool(user.is_authenticated and user.is_active) and (
        _is_staff(user) or dashboard.owner_id == user.pk
    )


def get_dashboard_for_user(
    user: AnyUser, dashboard_id: int, *, for_edit: bool = False, for_manage: bool = False
) -> Dashboard:
    """The dashboard, if the user may see it; raises Dashboard.DoesNotExist otherwise (so
    an unknown and a hidden dashboard look alike), and PermissionDenied when the user may
    see it but not change it (`for_edit`) or not share it (`for_manage`)."""
    dashboard = get_dashboards_for_user(user).get(pk=dashboard_id)
    if for_manage and not can_manage_dashboard(user, dashboard):
        raise PermissionDenied("only the owner of a dashboard may share it or delete it")
    if for_edit and not can_edit_dashboard(user, dashboard):
        raise PermissionDenied("you may view this dashboard but not change it")
    return dashboard


def get_visualizations_for_user(user: AnyUser) -> QuerySet[Visualization]:
    """Visualizations of the saved queries the user may see."""
    return Visualization.objects.filter(query__in=get_saved_queries_for_user(user)).select_related(
        "query", "query__datasource", "owner"
    )


def can_edit_visualization(user: AnyUser, visualization: Visualization) -> bool:
    return _is_staff(user) or (user.is_authenticated and visualization.owner_id == user.pk)


def get_visualization_for_user(
    user: AnyUser, visualization_id: int, *, for_edit: bool = False
) -> Visualization:
    """Raises Visualization.DoesNotExist when hidden or unknown, PermissionDenied when the
    user may see it but not change it (`for_edit`)."""
    visualization = get_visualizations_for_user(user).get(pk=visualization_id)
    if for_edit and not can_edit_visualization(user, visualization):
        raise PermissionDenied("only the owner of a visualization may change it")
    return visualization


def hash_public_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_public_link(token: str) -> PublicLink:
    """The live link of `token`: not revoked, not expired, and its creator still active.
    Raises PublicLink.DoesNotExist otherwise."""
    now = timezone.now()
    return (
        PublicLink.objects.select_related("dashboard", "created_by")
        .filter(
            token_hash=hash_public_token(token),
            revoked_at__isnull=True,
            created_by__is_active=True,
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .get()
    )
