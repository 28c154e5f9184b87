"""Service functions for the saved-query library as the web workspace uses it: save from
the editor (with tags and parameter specs), fork, move to the trash and back, and search."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from connectors.sql.params import ParameterType, find_parameters
from dashboards.library.drafts import discard_draft, draft_key
from dashboards.library.queries import (
    audit_query_change,
    create_saved_query,
    update_saved_query,
)
from dashboards.library.versions import record_version, restore_version
from dashboards.models import DataSource, QueryTag, QueryTrash, QueryVersion, SavedQuery

MAX_TAGS = 20
_SPEC_KEYS = {"name", "type", "options", "is_multi", "default", "source_query_id"}


def clean_parameter_specs(sql: str, specs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The specs of the parameters `sql` uses, in order of use, in the saved format.

    Parameters without a spec become text. Raises ValidationError for an unknown type, a
    dropdown without options, or a malformed spec.
    """
    by_name: dict[str, dict[str, Any]] = {}
    for spec in specs:
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            raise ValidationError("each parameter needs a name")
        by_name[spec["name"]] = spec
    cleaned = []
    for name in find_parameters(sql):
        spec = by_name.get(name, {"name": name, "type": "text"})
        cleaned.append(_clean_spec(name, spec))
    return cleaned


def _clean_spec(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    unknown = set(spec) - _SPEC_KEYS
    if unknown:
        raise ValidationError(f"parameter {name}: unknown settings {sorted(unknown)}")
    try:
        kind = ParameterType(spec.get("type", "text"))
    except ValueError as error:
        raise ValidationError(f"parameter {name}: unknown type {spec.get('type')!r}") from error
    options = [str(option) for option in spec.get("options") or []]
    if kind is ParameterType.ENUM and not options:
        raise ValidationError(f"parameter {name}: a dropdown needs at least one value")
    cleaned: dict[str, Any] = {
        "name": name,
        "type": str(kind),
        "options": options if kind is ParameterType.ENUM else [],
        "is_multi": bool(spec.get("is_multi")) and kind is ParameterType.ENUM,
        "default": spec.get("default"),
    }
    source = spec.get("source_query_id")
    if kind is ParameterType.TEXT and source is not None:
        if not isinstance(source, int):
            raise ValidationError(f"parameter {name}: source_query_id must be a query id")
        cleaned["source_query_id"] = source
    return cleaned


def clean_tags(tags: Iterable[str]) -> list[str]:
    names = list(dict.fromkeys(tag.strip().lower() for tag in tags if tag.strip()))
    if len(names) > MAX_TAGS:
        raise ValidationError(f"a query has at most {MAX_TAGS} tags")
    return names


def set_tags(query: SavedQuery, tags: Iterable[str]) -> None:
    """Replace the query's tags (call inside the saving transaction)."""
    names = clean_tags(tags)
    query.tags.exclude(name__in=names).delete()
    existing = set(query.tags.values_list("name", flat=True))
    for name in names:
        if name not in existing:
            tag = QueryTag(query=query, name=name)
            tag.full_clean()
            tag.save()


def save_query(
    user: User,
    *,
    query: SavedQuery | None,
    name: str,
    description: str,
    sql: str,
    datasource: DataSource,
    parameters: list[dict[str, Any]],
    tags: Iterable[str],
) -> SavedQuery:
    """Create (query None) or update a saved query from the editor, with its tags; a
    change of SQL or parameters adds a version. The editor's draft is discarded.
    Raises ValidationError."""
    specs = clean_parameter_specs(sql, parameters)
    with transaction.atomic():
        if query is None:
            saved = create_saved_query(
                user,
                name=name,
                sql=sql,
                datasource=datasource,
                description=description,
                parameters=specs,
            )
            discard_draft(user, draft_key(None))
        else:
            changes = {
                "name": name,
                "description": description,
                "sql": sql,
                "datasource": datasource,
                "parameters": specs,
            }
            saved = update_saved_query(user, query, changes=changes)
        set_tags(saved, tags)
        discard_draft(user, draft_key(saved.pk))
    return saved


def fork_query(user: User, query: SavedQuery) -> SavedQuery:
    """A copy of the query owned by `user`, with its tags; its first version notes where
    it came from."""
    with transaction.atomic():
        fork = SavedQuery(
            name=f"Copy of {query.name}"[:200],
            description=query.description,
            sql=query.sql,
            datasource=query.datasource,
            parameters=query.parameters,
            owner=user,
        )
        fork.full_clean()
        fork.save()
        latest = query.versions.first()
        origin = f"forked from #{query.pk}" + (f" version {latest.number}" if latest else "")
        record_version(user, fork, note=origin)
        set_tags(fork, query.tags.values_list("name", flat=True))
        audit_query_change(user, "query.fork", fork, forked_from=query.pk)
    return fork


def trash_query(user: User, query: SavedQuery) -> None:
    """Hide the query everywhere; `restore_query` undoes it."""
    with transaction.atomic():
        QueryTrash.objects.get_or_create(query=query, defaults={"trashed_by": user})
        audit_query_change(user, "query.trash", query)


def restore_query(user: User, query: SavedQuery) -> None:
    with transaction.atomic():
        QueryTrash.objects.filter(query=query).delete()
        audit_query_change(user, "query.restore", query)


def filter_queries(
    queries: QuerySet[SavedQuery],
    *,
    search: str = "",
    tag: str = "",
    owner: str = "",
    datasource: str = "",
) -> QuerySet[SavedQuery]:
    """Narrow a permission-checked queryset: `search` matches name, description and SQL."""
    if search:
        queries = queries.filter(
            Q(name__icontains=search) | Q(description__icontains=search) | Q(sql__icontains=search)
        )
    if tag:
        queries = queries.filter(tags__name=tag.lower())
    if owner:
        queries = queries.filter(owner__username=owner)
    if datasource:
        queries = queries.filter(datasource__name=datasource)
    return queries.distinct()


def restore_query_version(user: User, query: SavedQuery, number: int) -> QueryVersion:
    """Restore version `number` as the newest one and drop the user's draft of the query, so
    the editor opens on the restored text. Raises QueryVersion.DoesNotExist."""
    with transaction.atomic():
        version = restore_version(user, query, number)
        discard_draft(user, draft_key(query.pk))
    return version
