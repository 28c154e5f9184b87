"""Rows of the shadow catalog for one user: built-in rows plus the user's visible tables.

`build_catalog(content)` returns one Arrow table per emulated relation. Built-in rows (types,
procs, access methods, the catalog relations themselves) are PostgreSQL's; user rows get
stable OIDs from `oids.stable_oid`. DuckDB's `main` schema is shown as `public`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pyarrow as pa

from connectors.base import ColumnInfo, TableInfo
from pgwire.catalog import constraint_rows, oids
from pgwire.catalog.builtin_rows import am_rows, cast_rows, language_rows, proc_rows, range_rows
from pgwire.catalog.content import DEFAULT_SCHEMA, CatalogContent, display_schema
from pgwire.catalog.relations import Relation, catalog_relations
from pgwire.types.builtin import TYPE_ROWS, TYPE_ROWS_BY_OID, TYPES_BY_OID, ColumnType
from pgwire.types.engine import pg_type_for

Row = dict[str, Any]

SERVER_VERSION = "16.4"
SERVER_VERSION_NUM = "160004"
VERSION_STRING = (
    "PostgreSQL 16.4 (dashwire) on x86_64-pc-linux-gnu, compiled by gcc (GCC) 12.2.0, 64-bit"
)
OWNER_ROLE = "dashwire"
COLLATABLE_TYPES = frozenset({"text", "varchar", "bpchar"})


# Settings a PostgreSQL 16 server reports; the session's own values override them.
DEFAULT_SETTINGS: dict[str, tuple[str, str]] = {
    # name: (setting, vartype)
    "application_name": ("", "string"),
    "block_size": ("8192", "integer"),
    "bytea_output": ("hex", "enum"),
    "client_encoding": ("UTF8", "string"),
    "client_min_messages": ("notice", "enum"),
    "DateStyle": ("ISO, MDY", "string"),
    "default_table_access_method": ("heap", "string"),
    "default_transaction_isolation": ("read committed", "enum"),
    "default_transaction_read_only": ("off", "bool"),
    "extra_float_digits": ("1", "integer"),
    "in_hot_standby": ("off", "bool"),
    "integer_datetimes": ("on", "bool"),
    "IntervalStyle": ("postgres", "enum"),
    "is_superuser": ("off", "bool"),
    "jit": ("off", "bool"),
    "lc_collate": ("C.UTF-8", "string"),
    "lc_ctype": ("C.UTF-8", "string"),
    "lock_timeout": ("0", "integer"),
    "max_connections": ("100", "integer"),
    "max_identifier_length": ("63", "integer"),
    "max_index_keys": ("32", "integer"),
    "search_path": ('"$user", public', "string"),
    "server_encoding": ("UTF8", "string"),
    "server_version": (SERVER_VERSION, "string"),
    "server_version_num": (SERVER_VERSION_NUM, "integer"),
    "standard_conforming_strings": ("on", "bool"),
    "statement_timeout": ("0", "integer"),
    "TimeZone": ("UTC", "string"),
    "transaction_isolation": ("read committed", "string"),
    "transaction_read_only": ("off", "bool"),
}


def merged_settings(session_settings: Mapping[str, str]) -> dict[str, str]:
    """The session's settings over PostgreSQL's defaults, keyed by PostgreSQL's spelling."""
    canonical = {name.lower(): name for name in DEFAULT_SETTINGS}
    merged = {name: value for name, (value, _) in DEFAULT_SETTINGS.items()}
    for name, value in session_settings.items():
        merged[canonical.get(name.lower(), name)] = value
    return merged


def _role_oid(username: str) -> int:
    return oids.stable_oid("role", username)


def _column_type(column: ColumnInfo) -> ColumnType:
    return pg_type_for(column.type)


# ---------------------------------------------------------------- pg_catalog


def namespace_rows(content: CatalogContent) -> Iterator[Row]:
    fixed = [
        (oids.PG_CATALOG_NAMESPACE, "pg_catalog"),
        (oids.PG_TOAST_NAMESPACE, "pg_toast"),
        (oids.PUBLIC_NAMESPACE, DEFAULT_SCHEMA),
        (oids.INFORMATION_SCHEMA_NAMESPACE, "information_schema"),
    ]
    for oid, name in fixed:
        yield {"oid": oid, "nspname": name, "nspowner": oids.BOOTSTRAP_SUPERUSER}
    for schema in content.user_schemas():
        yield {
            "oid": content.namespace_oid(schema),
            "nspname": schema,
            "nspowner": oids.BOOTSTRAP_SUPERUSER,
        }


def _class_row(**values: Any) -> Row:
    defaults: Row = {
        "relowner": oids.BOOTSTRAP_SUPERUSER,
        "relam": 0,
        "relfilenode": 0,
        "reltablespace": 0,
        "relpages": 0,
        "reltuples": -1.0,
        "relallvisible": 0,
        "reltoastrelid": 0,
        "relhasindex": False,
        "relisshared": False,
        "relpersistence": "p",
        "relchecks": 0,
        "relhasrules": False,
        "relhastriggers": False,
        "relhassubclass": False,
        "relrowsecurity": False,
        "relforcerowsecurity": False,
        "relispopulated": True,
        "relreplident": "n",
        "relispartition": False,
        "relrewrite": 0,
        "relfrozenxid": 0,
        "relminmxid": 0,
        "reloftype": 0,
    }
    return defaults | values


def _catalog_namespace(relation: Relation) -> int:
    return {
        "pg_catalog": oids.PG_CATALOG_NAMESPACE,
        "information_schema": oids.INFORMATION_SCHEMA_NAMESPACE,
    }[relation.schema]


def class_rows(content: CatalogContent) -> Iterator[Row]:
    for relation in catalog_relations().values():
        yield _class_row(
            oid=relation.oid,
            relname=relation.name,
            relnamespace=_catalog_namespace(relation),
            reltype=relation.type_oid,
            relkind=relation.kind,
            relnatts=len(relation.columns),
            relam=oids.HEAP_AM if relation.kind == "r" else 0,
            relhasrules=relation.kind == "v",
        )
    keyed = constraint_rows.KeyedTables(content)
    for table in content.tables:
        is_view = table.kind == "view"
        yield _class_row(
            oid=content.table_oid(table),
            relname=table.name,
            relnamespace=content.namespace_oid(table.schema),
            reltype=content.rowtype_oid(table),
            relkind="v" if is_view else "r",
            relnatts=len(table.columns),
            relam=0 if is_view else oids.HEAP_AM,
            relhasindex=keyed.has_index(table),
            relhasrules=is_view,
            relhastriggers=keyed.has_triggers(table),
            relreplident="n" if is_view else "d",
            reltuples=_reltuples(table),
        )
    for constraint in content.constraints:
        if constraint.has_own_index:
            yield _class_row(
                oid=constraint.index_oid,
                relname=constraint.name,
                relnamespace=constraint.namespace_oid,
                reltype=0,
                relkind="i",
                relnatts=len(constraint.attnums),
                relam=oids.BTREE_AM,
                # a freshly built index knows its size, unlike its table (-1 until analyzed)
                relpages=1,
                reltuples=float(constraint.table.row_count or 0),
            )


def _reltuples(table: TableInfo) -> float:
    return -1.0 if table.row_count is None else float(table.row_count)


def _attribute_row(
    relid: int, attnum: int, name: str, pg_type: ColumnType, is_not_null: bool
) -> Row:
    type_row = TYPE_ROWS_BY_OID[pg_type.oid]
    return {
        "attrelid": relid,
        "attname": name,
        "atttypid": pg_type.oid,
        "attlen": type_row["typlen"],
        "attnum": attnum,
        "attndims": 1 if type_row["typcategory"] == "A" else 0,
        "attcacheoff": -1,
        "atttypmod": pg_type.typmod,
        "attbyval": type_row["typbyval"],
        "attalign": type_row["typalign"],
        "attstorage": type_row["typstorage"],
        "attcompression": "",
        "attnotnull": is_not_null,
        "atthasdef": False,
        "atthasmissing": False,
        "attidentity": "",
        "attgenerated": "",
        "attisdropped": False,
        "attislocal": True,
        "attinhcount": 0,
        "attstattarget": -1,
        "attcollation": type_row["typcollation"],
    }


def attribute_rows(content: CatalogContent) -> Iterator[Row]:
    for relation in catalog_relations().values():
        for attnum, column in enumerate(relation.columns, start=1):
            pg_type = ColumnType(TYPES_BY_OID[column.type_oid], column.typmod)
            yield _attribute_row(relation.oid, attnum, column.name, pg_type, column.is_not_null)
    for table in content.tables:
        for attnum, info in enumerate(table.columns, start=1):
            yield _attribute_row(
                content.table_oid(table), attnum, info.name, _column_type(info), not info.nullable
            )
    # PostgreSQL copies an index's columns into attributes of its own, without NOT NULL
    for constraint in content.constraints:
        if constraint.has_own_index:
            for index_attnum, table_attnum in enumerate(constraint.attnums, start=1):
                info = constraint.table.columns[table_attnum - 1]
                yield _attribute_row(
                    constraint.index_oid, index_attnum, info.name, _column_type(info), False
                )


def type_rows(content: CatalogContent) -> Iterator[Row]:
    yield from TYPE_ROWS
    record = {row["typname"]: row for row in TYPE_ROWS}["record"]
    for table in content.tables:
        common = {
            "typnamespace": content.namespace_oid(table.schema),
            "typowner": oids.BOOTSTRAP_SUPERUSER,
            "typbyval": False,
            "typcategory": "C",
            "typispreferred": False,
            "typisdefined": True,
            "typdelim": ",",
            "typalign": "d",
            "typstorage": "x",
            "typnotnull": False,
            "typbasetype": 0,
            "typtypmod": -1,
            "typndims": 0,
            "typcollation": 0,
            "typlen": -1,
            "typsubscript": 0,
            "typmodin": 0,
            "typmodout": 0,
            "typanalyze": 0,
        }
        yield common | {
            "oid": content.rowtype_oid(table),
            "typname": table.name,
            "typtype": "c",
            "typrelid": content.table_oid(table),
            "typelem": 0,
            "typarray": content.rowtype_array_oid(table),
            "typinput": record["typinput"],
            "typoutput": record["typoutput"],
            "typreceive": record["typreceive"],
            "typsend": record["typsend"],
        }
        array_type = TYPE_ROWS_BY_OID[record["typarray"]]
        yield common | {
            "oid": content.rowtype_array_oid(table),
            "typname": f"_{table.name}",
            "typtype": "b",
            "typcategory": "A",
            "typrelid": 0,
            "typelem": content.rowtype_oid(table),
            "typarray": 0,
            **{
                k: array_type[k]
                for k in (
                    "typinput",
                    "typoutput",
                    "typreceive",
                    "typsend",
                    "typsubscript",
                    "typanalyze",
                )
            },
        }


def type_row_defaults(row: Row) -> Row:
    """Fills the pg_type columns the dump leaves out (namespace and owner are PostgreSQL's)."""
    return {
        "typnamespace": oids.PG_CATALOG_NAMESPACE,
        "typowner": oids.BOOTSTRAP_SUPERUSER,
    } | row


def database_rows(content: CatalogContent) -> Iterator[Row]:
    for name in content.databases:
        yield {
            "oid": oids.stable_oid("database", name),
            "datname": name,
            "datdba": oids.BOOTSTRAP_SUPERUSER,
            "encoding": oids.UTF8_ENCODING,
            "datlocprovider": "c",
            "datistemplate": False,
            "datallowconn": True,
            "datconnlimit": -1,
            "datfrozenxid": 0,
            "datminmxid": 1,
            "dattablespace": oids.DEFAULT_TABLESPACE,
            "datcollate": "C.UTF-8",
            "datctype": "C.UTF-8",
        }


def _roles(content: CatalogContent) -> list[tuple[int, str, bool]]:
    roles = [(oids.BOOTSTRAP_SUPERUSER, OWNER_ROLE, True)]
    if content.username != OWNER_ROLE:
        roles.append((_role_oid(content.username), content.username, False))
    return roles


def authid_rows(content: CatalogContent) -> Iterator[Row]:
    for oid, name, is_superuser in _roles(content):
        yield {
            "oid": oid,
            "rolname": name,
            "rolsuper": is_superuser,
            "rolinherit": True,
            "rolcreaterole": is_superuser,
            "rolcreatedb": is_superuser,
            "rolcanlogin": True,
            "rolreplication": False,
            "rolbypassrls": False,
            "rolconnlimit": -1,
        }


def roles_rows(content: CatalogContent) -> Iterator[Row]:
    for row in authid_rows(content):
        yield row | {"rolpassword": "********"}


def user_rows(content: CatalogContent) -> Iterator[Row]:
    for oid, name, is_superuser in _roles(content):
        yield {
            "usename": name,
            "usesysid": oid,
            "usecreatedb": is_superuser,
            "usesuper": is_superuser,
            "userepl": False,
            "usebypassrls": False,
            "passwd": "********",
        }


def settings_rows(content: CatalogContent) -> Iterator[Row]:
    for name, setting in merged_settings(content.settings).items():
        vartype = DEFAULT_SETTINGS.get(name, ("", "string"))[1]
        yield {
            "name": name,
            "setting": setting,
            "vartype": vartype,
            "context": "user",
            "source": "default",
            "boot_val": setting,
            "reset_val": setting,
            "category": "Client Connection Defaults",
            "short_desc": "",
            "pending_restart": False,
        }


def collation_rows(content: CatalogContent) -> Iterator[Row]:
    for oid, name, provider in ((100, "default", "d"), (950, "C", "c"), (951, "POSIX", "c")):
        yield {
            "oid": oid,
            "collname": name,
            "collnamespace": oids.PG_CATALOG_NAMESPACE,
            "collowner": oids.BOOTSTRAP_SUPERUSER,
            "collprovider": provider,
            "collisdeterministic": True,
            "collencoding": -1,
            "collcollate": None if provider == "d" else name,
            "collctype": None if provider == "d" else name,
        }


def tablespace_rows(content: CatalogContent) -> Iterator[Row]:
    for oid, name in (
        (oids.DEFAULT_TABLESPACE, "pg_default"),
        (oids.GLOBAL_TABLESPACE, "pg_global"),
    ):
        yield {"oid": oid, "spcname": name, "spcowner": oids.BOOTSTRAP_SUPERUSER}


def extension_rows(content: CatalogContent) -> Iterator[Row]:
    yield {
        "oid": 13559,
        "extname": "plpgsql",
        "extowner": oids.BOOTSTRAP_SUPERUSER,
        "extnamespace": oids.PG_CATALOG_NAMESPACE,
        "extrelocatable": False,
        "extversion": "1.0",
    }


def tables_view_rows(content: CatalogContent) -> Iterator[Row]:
    keyed = constraint_rows.KeyedTables(content)
    for table in content.tables:
        if table.kind != "view":
            yield {
                "schemaname": display_schema(table.schema),
                "tablename": table.name,
                "tableowner": OWNER_ROLE,
                "hasindexes": keyed.has_index(table),
                "hasrules": False,
                "hastriggers": keyed.has_triggers(table),
                "rowsecurity": False,
            }


def views_view_rows(content: CatalogContent) -> Iterator[Row]:
    for table in content.tables:
        if table.kind == "view":
            yield {
                "schemaname": display_schema(table.schema),
                "viewname": table.name,
                "viewowner": OWNER_ROLE,
                "definition": None,
            }


# ---------------------------------------------------------------- information_schema


def schemata_rows(content: CatalogContent) -> Iterator[Row]:
    for schema in ["pg_catalog", DEFAULT_SCHEMA, "information_schema", *content.user_schemas()]:
        yield {
            "catalog_name": content.database,
            "schema_name": schema,
            "schema_owner": OWNER_ROLE,
        }


def is_tables_rows(content: CatalogContent) -> Iterator[Row]:
    for table in content.tables:
        is_view = table.kind == "view"
        yield {
            "table_catalog": content.database,
            "table_schema": display_schema(table.schema),
            "table_name": table.name,
            "table_type": "VIEW" if is_view else "BASE TABLE",
            "is_insertable_into": "NO",
            "is_typed": "NO",
        }


def is_views_rows(content: CatalogContent) -> Iterator[Row]:
    for table in content.tables:
        if table.kind == "view":
            yield {
                "table_catalog": content.database,
                "table_schema": display_schema(table.schema),
                "table_name": table.name,
                "check_option": "NONE",
                "is_updatable": "NO",
                "is_insertable_into": "NO",
                "is_trigger_updatable": "NO",
                "is_trigger_deletable": "NO",
                "is_trigger_insertable_into": "NO",
            }


# information_schema.columns' numeric_precision and radix for fixed-size numbers.
BINARY_PRECISION = {"int2": 16, "int4": 32, "int8": 64, "float4": 24, "float8": 53}
DATETIME_TYPES = frozenset({"date", "time", "timetz", "timestamp", "timestamptz", "interval"})


def _numeric_facts(pg_type: ColumnType) -> Row:
    if pg_type.name in BINARY_PRECISION:
        precision = BINARY_PRECISION[pg_type.name]
        scale = 0 if pg_type.name.startswith("int") else None
        return {
            "numeric_precision": precision,
            "numeric_precision_radix": 2,
            "numeric_scale": scale,
        }
    if pg_type.name == "numeric":
        facts: Row = {"numeric_precision_radix": 10}
        if pg_type.typmod >= 0:
            facts["numeric_precision"] = (pg_type.typmod - 4) >> 16
            facts["numeric_scale"] = (pg_type.typmod - 4) & 0xFFFF
        return facts
    return {}


def _data_type(pg_type: ColumnType) -> str:
    if pg_type.element is not None:
        return "ARRAY"
    return ColumnType(pg_type.pg_type).sql_name


def _column_facts(pg_type: ColumnType) -> Row:
    facts = _numeric_facts(pg_type)
    if pg_type.name in ("varchar", "bpchar") and pg_type.typmod >= 0:
        facts["character_maximum_length"] = pg_type.typmod - 4
        facts["character_octet_length"] = (pg_type.typmod - 4) * 4
    elif pg_type.name in COLLATABLE_TYPES:
        facts["character_octet_length"] = 1073741824
    if pg_type.name in DATETIME_TYPES:
        facts["datetime_precision"] = 0 if pg_type.name == "date" else 6
    if pg_type.name == "interval":
        facts["interval_precision"] = None
    return facts


def is_columns_rows(content: CatalogContent) -> Iterator[Row]:
    for table in content.tables:
        for position, info in enumerate(table.columns, start=1):
            pg_type = _column_type(info)
            yield {
                "table_catalog": content.database,
                "table_schema": display_schema(table.schema),
                "table_name": table.name,
                "column_name": info.name,
                "ordinal_position": position,
                "is_nullable": "YES" if info.nullable else "NO",
                "data_type": _data_type(pg_type),
                "udt_catalog": content.database,
                "udt_schema": "pg_catalog",
                "udt_name": pg_type.name,
                "dtd_identifier": str(position),
                "is_self_referencing": "NO",
                "is_identity": "NO",
                "identity_cycle": "NO",
                "is_generated": "NEVER",
                "is_updatable": "NO" if table.kind == "view" else "YES",
            } | _column_facts(pg_type)


def character_sets_rows(content: CatalogContent) -> Iterator[Row]:
    yield {
        "character_set_name": "UTF8",
        "character_repertoire": "UCS",
        "form_of_use": "UTF8",
        "default_collate_catalog": content.database,
        "default_collate_name": "C.UTF-8",
    }


RowBuilder = Callable[[CatalogContent], Iterator[Row]]

ROW_BUILDERS: dict[tuple[str, str], RowBuilder] = {
    ("pg_catalog", "pg_namespace"): namespace_rows,
    ("pg_catalog", "pg_class"): class_rows,
    ("pg_catalog", "pg_attribute"): attribute_rows,
    ("pg_catalog", "pg_type"): type_rows,
    ("pg_catalog", "pg_proc"): proc_rows,
    ("pg_catalog", "pg_range"): range_rows,
    ("pg_catalog", "pg_am"): am_rows,
    ("pg_catalog", "pg_cast"): cast_rows,
    ("pg_catalog", "pg_database"): database_rows,
    ("pg_catalog", "pg_authid"): authid_rows,
    ("pg_catalog", "pg_roles"): roles_rows,
    ("pg_catalog", "pg_user"): user_rows,
    ("pg_catalog", "pg_settings"): settings_rows,
    ("pg_catalog", "pg_collation"): collation_rows,
    ("pg_catalog", "pg_tablespace"): tablespace_rows,
    ("pg_catalog", "pg_extension"): extension_rows,
    ("pg_catalog", "pg_language"): language_rows,
    ("pg_catalog", "pg_tables"): tables_view_rows,
    ("pg_catalog", "pg_views"): views_view_rows,
    ("pg_catalog", "pg_constraint"): constraint_rows.constraint_rows,
    ("pg_catalog", "pg_index"): constraint_rows.index_rows,
    ("pg_catalog", "pg_indexes"): constraint_rows.indexes_view_rows,
    ("information_schema", "schemata"): schemata_rows,
    ("information_schema", "tables"): is_tables_rows,
    ("information_schema", "views"): is_views_rows,
    ("information_schema", "columns"): is_columns_rows,
    ("information_schema", "character_sets"): character_sets_rows,
    ("information_schema", "table_constraints"): constraint_rows.table_constraints_rows,
    ("information_schema", "key_column_usage"): constraint_rows.key_column_usage_rows,
    ("information_schema", "referential_constraints"): (
        constraint_rows.referential_constraints_rows
    ),
    ("information_schema", "constraint_column_usage"): (
        constraint_rows.constraint_column_usage_rows
    ),
}

ROW_FIXUPS: dict[tuple[str, str], Callable[[Row], Row]] = {
    ("pg_catalog", "pg_type"): type_row_defaults,
}


def _zero_value(arrow_type: pa.DataType) -> Any:
    """What a NOT NULL column holds when a builder says nothing about it."""
    if pa.types.is_boolean(arrow_type):
        return False
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return 0
    if pa.types.is_string(arrow_type):
        return ""
    return None


def _unchanged(row: Row) -> Row:
    return row


def build_relation(relation: Relation, rows: list[Row]) -> pa.Table:
    """One relation's rows as an Arrow table with exactly PostgreSQL's columns."""
    schema = relation.arrow_schema()
    fixup = ROW_FIXUPS.get((relation.schema, relation.name), _unchanged)
    rows = [fixup(row) for row in rows]
    arrays = []
    for arrow_field in schema:
        zero = None if arrow_field.nullable else _zero_value(arrow_field.type)
        values = [row.get(arrow_field.name, zero) for row in rows]
        arrays.append(pa.array(values, type=arrow_field.type))
    return pa.Table.from_arrays(arrays, schema=schema.remove_metadata())


def build_catalog(content: CatalogContent) -> dict[tuple[str, str], pa.Table]:
    """Every emulated relation, keyed by (schema, name), filled for `content`."""
    catalog = {}
    for key, relation in catalog_relations().items():
        builder = ROW_BUILDERS.get(key)
        rows = list(builder(content)) if builder else []
        catalog[key] = build_relation(relation, rows)
    return catalog
