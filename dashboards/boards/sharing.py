"""Sharing a dashboard: with users and groups, as a public link, and as a signed embed URL.

Public links and embeds run the dashboard's saved queries as the user who published them,
with the filter values that user allowed, in the versions pinned when they were published
(`pins.py`); nothing else reaches an engine through them.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group, User
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dashboards.audit.changes import audit_change
from dashboards.boards.access import get_dashboards_for_user, hash_public_token
from dashboards.boards.errors import EmbedTokenInvalid, FilterValueError
from dashboards.boards.filters import check_filter_value
from dashboards.boards.pins import Pins, embed_pin_ids, embed_pins, pin_link
from dashboards.models import Dashboard, DashboardShare, PublicLink, SharePermission

EMBED_SALT = "dashwire.embed"
MAX_EMBED_TTL_S = 366 * 24 * 3600
PUBLIC_TOKEN_BYTES = 32
# a link's last_used_at is written at most this often, whatever its number of viewers
LINK_TOUCH_INTERVAL_S = 300


def share_dashboard(
    user: User,
    dashboard: Dashboard,
    *,
    permission: SharePermission,
    with_user: User | None = None,
    with_group: Group | None = None,
) -> DashboardShare:
    """Share with one user or one group (exactly one of them); sharing again with the
    same one changes the permission."""
    if (with_user is None) == (with_group is None):
        raise ValidationError("share with one user or one group")
    if with_user is not None and with_user.pk == dashboard.owner_id:
        raise ValidationError("the owner already has every right on the dashboard")
    with transaction.atomic():
        share, _ = DashboardShare.objects.update_or_create(
            dashboard=dashboard,
            user=with_user,
            group=with_group,
            defaults={"permission": permission, "created_by": user},
        )
        share.full_clean()
        audit_change(
            user,
            "dashboard.share",
            dashboard_id=dashboard.pk,
            shared_with_user=with_user.get_username() if with_user else None,
            shared_with_group=with_group.name if with_group else None,
            permission=str(permission),
        )
    return share


def unshare_dashboard(user: User, share: DashboardShare) -> None:
    with transaction.atomic():
        audit_change(user, "dashboard.unshare", dashboard_id=share.dashboard_id, share_id=share.pk)
        share.delete()


def check_allowed_values(
    dashboard: Dashboard, allowed: Mapping[str, Sequence[Any]]
) -> dict[str, list[Any]]:
    """`allowed` as stored: every name a filter of the dashboard, every value one that
    filter admits. Raises FilterValueError otherwise."""
    filters = {board_filter.name: board_filter for board_filter in dashboard.filters.all()}
    checked: dict[str, list[Any]] = {}
    for name, values in allowed.items():
        if name not in filters:
            raise FilterValueError(f"the dashboard has no filter {name}", name)
        for value in values:
            item_filter = filters[name]
            check_filter_value(item_filter, [value] if item_filter.is_multi else value)
        checked[name] = list(values)
    return checked


def create_public_link(
    user: User,
    dashboard: Dashboard,
    *,
    allowed_filter_values: Mapping[str, Sequence[Any]] | None = None,
    expires_at: datetime | None = None,
) -> tuple[PublicLink, str]:
    """A new public link and its token, which is returned only here (the link stores its
    hash). Raises FilterValueError for allowed values the filters do not admit."""
    token = secrets.token_urlsafe(PUBLIC_TOKEN_BYTES)
    with transaction.atomic():
        link = PublicLink(
            dashboard=dashboard,
            token_hash=hash_public_token(token),
            token_hint=token[:6],
            allowed_filter_values=check_allowed_values(dashboard, allowed_filter_values or {}),
            created_by=user,
            expires_at=expires_at,
        )
        link.full_clean()
        link.save()
        pin_link(link)
        audit_change(user, "dashboard.publish", dashboard_id=dashboard.pk, link_id=link.pk)
    return link, token


def republish_public_link(user: User, link: PublicLink) -> PublicLink:
    """The link serves its dashboard's queries as they are now (until the next time).
    Only the user who published it may: its widgets run with that user's rights. Raises
    PermissionDenied otherwise, ValidationError for a revoked link."""
    if link.created_by_id != user.pk:
        raise PermissionDenied("only the user who published this link may publish it again")
    if link.revoked_at is not None:
        raise ValidationError("this link was revoked; publish a new one")
    with transaction.atomic():
        pin_link(link)
        audit_change(user, "dashboard.republish", dashboard_id=link.dashboard_id, link_id=link.pk)
    return link


def revoke_public_link(user: User, link: PublicLink) -> PublicLink:
    """The link stops working at once; revoking twice keeps the first time."""
    with transaction.atomic():
        PublicLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        audit_change(user, "dashboard.unpublish", dashboard_id=link.dashboard_id, link_id=link.pk)
    link.refresh_from_db()
    return link


def touch_public_link(link: PublicLink) -> None:
    """Note that the link was used: one UPDATE per LINK_TOUCH_INTERVAL_S at most, so its
    anonymous viewers do not write to the database on every view."""
    now = timezone.now()
    last = link.last_used_at
    if last is not None and (now - last).total_seconds() < LINK_TOUCH_INTERVAL_S:
        return
    PublicLink.objects.filter(pk=link.pk).update(last_used_at=now)


@dataclass(frozen=True)
class EmbedGrant:
    """What a valid embed token lets its holder see."""

    dashboard: Dashboard
    run_as: User
    filter_values: dict[str, Any]
    allowed_filter_values: dict[str, list[Any]]
    expires_at: float
    pins: Pins


def sign_embed_token(
    user: User,
    dashboard: Dashboard,
    *,
    ttl_s: int,
    filter_values: Mapping[str, Any] | None = None,
    allowed_filter_values: Mapping[str, Sequence[Any]] | None = None,
) -> str:
    """A token for `/embed/dashboards/<token>/`, valid for `ttl_s` seconds, until the
    dashboard's embeds are revoked, or until `user` may no longer see the dashboard.
    Widgets run as `user`, in their queries' current versions (pinned in the token). Raises
    ValidationError or FilterValueError for bad inputs."""
    if not 60 <= ttl_s <= MAX_EMBED_TTL_S:
        raise ValidationError(f"ttl_s must be between 60 and {MAX_EMBED_TTL_S}")
    allowed = check_allowed_values(dashboard, allowed_filter_values or {})
    fixed = dict(filter_values or {})
    check_allowed_values(
        dashboard,
        {name: value if isinstance(value, list) else [value] for name, value in fixed.items()},
    )
    payload = {
        "d": dashboard.pk,
        "v": dashboard.embed_version,
        "u": user.pk,
        "e": int(time.time()) + ttl_s,
        "f": fixed,
        "a": allowed,
        "p": embed_pin_ids(dashboard),
    }
    audit_change(user, "dashboard.embed", dashboard_id=dashboard.pk, ttl_s=ttl_s)
    return signing.dumps(payload, salt=EMBED_SALT, compress=True)


def read_embed_token(token: str) -> EmbedGrant:
    """Raises EmbedTokenInvalid for a forged, expired or revoked token."""
    try:
        payload = signing.loads(token, salt=EMBED_SALT)
    except signing.BadSignature as error:
        raise EmbedTokenInvalid("this embed link is not valid") from error
    if payload["e"] < time.time():
        raise EmbedTokenInvalid("this embed link has expired")
    signer = User.objects.filter(pk=payload["u"], is_active=True).first()
    dashboard = get_dashboards_for_user(signer).filter(pk=payload["d"]).first() if signer else None
    if signer is None or dashboard is None or dashboard.embed_version != payload["v"]:
        raise EmbedTokenInvalid("this embed link was revoked")
    return EmbedGrant(
        dashboard=dashboard,
        run_as=signer,
        filter_values=payload["f"],
        allowed_filter_values=payload["a"],
        expires_at=payload["e"],
        # a token signed before pinning pins nothing: its widgets are not served
        pins=embed_pins(payload.get("p", {})),
    )


def revoke_embeds(user: User, dashboard: Dashboard) -> None:
    """Every embed token signed so far stops working."""
    with transaction.atomic():
        Dashboard.objects.filter(pk=dashboard.pk).update(embed_version=F("embed_version") + 1)
        audit_change(user, "dashboard.revoke_embeds", dashboard_id=dashboard.pk)
    dashboard.refresh_from_db()
