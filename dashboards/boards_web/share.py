"""The share dialog's endpoint: who has the dashboard, its public links, embed URLs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group, User
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from pydantic import BaseModel, ConfigDict, Field

from dashboards.boards.access import get_dashboard_for_user
from dashboards.boards.sharing import (
    create_public_link,
    revoke_embeds,
    revoke_public_link,
    share_dashboard,
    sign_embed_token,
    unshare_dashboard,
)
from dashboards.boards_web.errors import json_errors
from dashboards.boards_web.pages import acting_user
from dashboards.models import Dashboard, SharePermission
from dashboards.web.jsonio import BadRequest, read_json


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str
    username: str | None = None
    group: str | None = None
    permission: SharePermission = SharePermission.VIEW
    share_id: int | None = None
    link_id: int | None = None
    allowed_filter_values: dict[str, list[Any]] = Field(default_factory=dict)
    filter_values: dict[str, Any] = Field(default_factory=dict)
    expires_in_days: int | None = Field(default=None, ge=1, le=3660)
    ttl_s: int = Field(default=3600, ge=60)


def _required(value: int | None) -> int:
    if value is None:
        raise BadRequest("which one? (share_id or link_id is missing)")
    return value


def sharing_state(dashboard: Dashboard) -> dict[str, Any]:
    return {
        "shares": [
            {
                "id": share.pk,
                "user": share.user.get_username() if share.user else None,
                "group": share.group.name if share.group else None,
                "permission": share.permission,
            }
            for share in dashboard.shares.select_related("user", "group")
        ],
        "links": [
            {
                "id": link.pk,
                "hint": link.token_hint,
                "created_at": link.created_at,
                "expires_at": link.expires_at,
                "revoked_at": link.revoked_at,
                "last_used_at": link.last_used_at,
                "allowed_filter_values": link.allowed_filter_values,
            }
            for link in dashboard.public_links.all()
        ],
    }


def _share(request: HttpRequest, dashboard: Dashboard, body: ShareIn) -> dict[str, Any]:
    share_dashboard(
        acting_user(request),
        dashboard,
        permission=body.permission,
        with_user=User.objects.get(username=body.username, is_active=True)
        if body.username
        else None,
        with_group=Group.objects.get(name=body.group) if body.group else None,
    )
    return {}


def _unshare(request: HttpRequest, dashboard: Dashboard, body: ShareIn) -> dict[str, Any]:
    unshare_dashboard(acting_user(request), dashboard.shares.get(pk=_required(body.share_id)))
    return {}


def _publish(request: HttpRequest, dashboard: Dashboard, body: ShareIn) -> dict[str, Any]:
    expires_at = (
        timezone.now() + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    )
    _, token = create_public_link(
        acting_user(request),
        dashboard,
        allowed_filter_values=body.allowed_filter_values,
        expires_at=expires_at,
    )
    return {"url": request.build_absolute_uri(reverse("boards:public", args=[token]))}


def _unpublish(request: HttpRequest, dashboard: Dashboard, body: ShareIn) -> dict[str, Any]:
    link = dashboard.public_links.get(pk=_required(body.link_id))
    revoke_public_link(acting_user(request), link)
    return {}


def _embed(request: HttpRequest, dashboard: Dashboard, body: ShareIn) -> dict[str, Any]:
    token = sign_embed_token(
        acting_user(request),
        dashboard,
        ttl_s=body.ttl_s,
        filter_values=body.filter_values,
        allowed_filter_values=body.allowed_filter_values,
    )
    return {"url": request.build_absolute_uri(reverse("boards:embed", args=[token]))}


def _revoke_embeds(request: HttpRequest, dashboard: Dashboard, body: ShareIn) -> dict[str, Any]:
    revoke_embeds(acting_user(request), dashboard)
    return {}


ACTIONS: dict[str, Callable[[HttpRequest, Dashboard, ShareIn], dict[str, Any]]] = {
    "share": _share,
    "unshare": _unshare,
    "publish": _publish,
    "unpublish": _unpublish,
    "embed": _embed,
    "revoke_embeds": _revoke_embeds,
}


@login_required
@require_http_methods(["GET", "POST"])
@json_errors
def share(request: HttpRequest, dashboard_id: int) -> HttpResponse:
    """GET: the sharing state. POST {"action": one of ACTIONS, ...}: do it; the answer
    carries the state after it and, for publish/embed, the URL (shown only then)."""
    dashboard = get_dashboard_for_user(request.user, dashboard_id, for_manage=True)
    answer: dict[str, Any] = {}
    if request.method == "POST":
        body = ShareIn.model_validate(read_json(request))
        action = ACTIONS.get(body.action)
        if action is None:
            return JsonResponse({"error": f"unknown action {body.action}"}, status=400)
        answer = action(request, dashboard, body)
    return JsonResponse({**sharing_state(dashboard), **answer})
