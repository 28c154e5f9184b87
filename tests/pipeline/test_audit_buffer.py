"""The wire endpoint's audit rows, written in batches."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from dashboards.audit.batches import wire_audit
from dashboards.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _fields(user: User | None, sql: str) -> dict[str, object]:
    return {
        "user_id": user.pk if user else None,
        "action": "query",
        "origin": "wire",
        "datasource": "shop",
        "sql": sql,
        "fingerprint": "f" * 64,
        "outcome": "allowed",
        "detail": {"rows": 3},
    }


def test_rows_keep_the_time_they_were_added_and_their_detail() -> None:
    user = User.objects.create(username="auditee")
    before = timezone.now()
    wire_audit.add(_fields(user, "SELECT 1"))
    wire_audit.add(_fields(None, "SELECT 2"))
    wire_audit.flush()
    rows = {event.sql: event for event in AuditEvent.objects.filter(origin="wire")}
    assert set(rows) == {"SELECT 1", "SELECT 2"}
    assert rows["SELECT 1"].user == user and rows["SELECT 1"].detail == {"rows": 3}
    assert before <= rows["SELECT 1"].at <= timezone.now() + dt.timedelta(seconds=1)


def test_a_user_deleted_before_the_flush_leaves_the_row_without_user() -> None:
    gone = User.objects.create(username="gone")
    kept = User.objects.create(username="kept")
    wire_audit.add(_fields(gone, "SELECT 'gone'"))
    wire_audit.add(_fields(kept, "SELECT 'kept'"))
    gone.delete()
    wire_audit.flush()
    users = dict(AuditEvent.objects.filter(origin="wire").values_list("sql", "user_id"))
    assert users == {"SELECT 'gone'": None, "SELECT 'kept'": kept.pk}
