"""Sharing a dashboard (its manager only): with users and groups, through public links,
and as signed embed URLs. Every answer is the sharing state after the change; creating a
link or an embed also carries its URL, shown only then."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Schema

from dashboards.api.errors import not_found
from dashboards.boards.access import get_dashboard_for_user
from dashboards.boards.pins import link_pins, stale_widgets
from dashboards.boards.sharing import (
    MAX_EMBED_TTL_S,
    create_public_link,
    republish_public_link,
    revoke_embeds,
    revoke_public_link,
    share_dashboard,
    sign_embed_token,
    unshare_dashboard,
)
from dashboards.identity.access import acting_user
from dashboards.models import Dashboard, PublicLink, SharePermission

router = Router(tags=["sharing"])


class ShareOut(Schema):
    id: int
    user: str | None
    group: str | None
    permission: str


class PublicLinkOut(Schema):
    id: int
    hint: str  # the first characters of the token
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    allowed_filter_values: dict[str, list[Any]]
    # the charts it does not serve as their queries are now (unpinned or changed since);
    # its publisher can publish it again to serve them
    stale_widget_ids: list[int]


class SharingOut(Schema):
    shares: list[ShareOut]
    links: list[PublicLinkOut]
    url: str | None = None  # of the link or embed just created


class ShareIn(Schema):
    """With one user (`username`) or one group; sharing again changes the permission."""

    username: str | None = None
    group: str | None = None
    permission: SharePermission = SharePermission.VIEW


class PublicLinkIn(Schema):
    allowed_filter_values: dict[str, list[Any]] = {}  # what a viewer may pick, per filter
    expires_in_days: int | None = Field(None, ge=1, le=3660)


class EmbedIn(Schema):
    ttl_s: int = Field(3600, ge=60, le=MAX_EMBED_TTL_S)
    filter_values: dict[str, Any] = {}  # fixed for the viewer
    allowed_filter_values: dict[str, list[Any]] = {}


def sharing_out(dashboard: Dashboard, *, url: str | None = None) -> SharingOut:
    return SharingOut(
        shares=[
            ShareOut(
                id=share.pk,
                user=share.user.get_username() if share.user else None,
                group=share.group.name if share.group else None,
                permission=share.permission,
            )
            for share in dashboard.shares.select_related("user", "group")
        ],
        links=[link_out(link) for link in dashboard.public_links.all()],
        url=url,
    )


def link_out(link: PublicLink) -> PublicLinkOut:
    stale = [] if link.revoked_at else stale_widgets(link.dashboard, link_pins(link))
    return PublicLinkOut(
        id=link.pk,
        hint=link.token_hint,
        created_at=link.created_at,
        expires_at=link.expires_at,
        revoked_at=link.revoked_at,
        last_used_at=link.last_used_at,
        allowed_filter_values=link.allowed_filter_values,
        stale_widget_ids=[widget.pk for widget in stale],
    )


def _managed(request: HttpRequest, dashboard_id: int) -> Dashboard:
    """Raises PermissionDenied (403) for a viewer or editor who may not share it."""
    try:
        return get_dashboard_for_user(request.user, dashboard_id, for_manage=True)
    except Dashboard.DoesNotExist as error:
        raise not_found(f"dashboard {dashboard_id}") from error


@router.get("/{dashboard_id}/share", response=SharingOut)
def get_sharing(request: HttpRequest, dashboard_id: int) -> SharingOut:
    return sharing_out(_managed(request, dashboard_id))


@router.post("/{dashboard_id}/share/grants", response=SharingOut)
def grant(request: HttpRequest, dashboard_id: int, body: ShareIn) -> SharingOut:
    dashboard = _managed(request, dashboard_id)
    share_dashboard(
        acting_user(request),
        dashboard,
        permission=body.permission,
        with_user=User.objects.get(username=body.username, is_active=True)
        if body.username
        else None,
        with_group=Group.objects.get(name=body.group) if body.group else None,
    )
    return sharing_out(dashboard)


@router.delete("/{dashboard_id}/share/grants/{share_id}", response=SharingOut)
def revoke_grant(request: HttpRequest, dashboard_id: int, share_id: int) -> SharingOut:
    dashboard = _managed(request, dashboard_id)
    unshare_dashboard(acting_user(request), dashboard.shares.get(pk=share_id))
    return sharing_out(dashboard)


@router.post("/{dashboard_id}/share/links", response={201: SharingOut})
def publish(request: HttpRequest, dashboard_id: int, body: PublicLinkIn) -> tuple[int, Any]:
    dashboard = _managed(request, dashboard_id)
    expires_at = (
        timezone.now() + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    )
    _, token = create_public_link(
        acting_user(request),
        dashboard,
        allowed_filter_values=body.allowed_filter_values,
        expires_at=expires_at,
    )
    url = request.build_absolute_uri(reverse("boards:public", args=[token]))
    return 201, sharing_out(dashboard, url=url)


@router.post("/{dashboard_id}/share/links/{link_id}/publish", response=SharingOut)
def republish(request: HttpRequest, dashboard_id: int, link_id: int) -> SharingOut:
    """The link serves the dashboard's queries as they are now (its publisher only: 403
    for others). Until then it serves the versions pinned when it was last published."""
    dashboard = _managed(request, dashboard_id)
    republish_public_link(acting_user(request), dashboard.public_links.get(pk=link_id))
    return sharing_out(dashboard)


@router.delete("/{dashboard_id}/share/links/{link_id}", response=SharingOut)
def unpublish(request: HttpRequest, dashboard_id: int, link_id: int) -> SharingOut:
    """The link stops working at once (it stays listed, as revoked)."""
    dashboard = _managed(request, dashboard_id)
    revoke_public_link(acting_user(request), dashboard.public_links.get(pk=link_id))
    return sharing_out(dashboard)


@router.post("/{dashboard_id}/share/embeds", response={201: SharingOut})
def embed(request: HttpRequest, dashboard_id: int, body: EmbedIn) -> tuple[int, Any]:
    dashboard = _managed(request, dashboard_id)
    token = sign_embed_token(
        acting_user(request),
        dashboard,
        ttl_s=body.ttl_s,
        filter_values=body.filter_values,
        allowed_filter_values=body.allowed_filter_values,
    )
    url = request.build_absolute_uri(reverse("boards:embed", args=[token]))
    return 201, sharing_out(dashboard, url=url)


@router.delete("/{dashboard_id}/share/embeds", response=SharingOut)
def revoke_all_embeds(request: HttpRequest, dashboard_id: int) -> SharingOut:
    """Every embed URL of the dashboard stops working."""
    dashboard = _managed(request, dashboard_id)
    revoke_embeds(acting_user(request), dashboard)
    return sharing_out(dashboard)
