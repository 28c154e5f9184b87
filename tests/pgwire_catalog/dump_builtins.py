"""Regenerate pgwire/catalog/data/*.json and pgwire/types/pg_type.json from a real
PostgreSQL server.

Usage: python tests/pgwire_catalog/dump_builtins.py "host=127.0.0.1 user=postgres dbname=test"

The emulated catalog must carry PostgreSQL's own OIDs, type rows and column sets; reading
them from a real server is the only way to keep them exact. Built-in OIDs are identical
across PostgreSQL 15 and 16; the column-set differences that matter to clients (new in 16:
pg_database.daticurules, pg_collation.collicurules, pg_auth_members' oid and options,
pg_subscription's password, run-as-owner and origin) are made here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import psycopg

DATA = Path(__file__).resolve().parents[2] / "pgwire" / "catalog" / "data"
TYPES = Path(__file__).resolve().parents[2] / "pgwire" / "types"

CATALOG_RELATIONS = {
    "pg_catalog": [
        "pg_aggregate",
        "pg_am",
        "pg_amop",
        "pg_amproc",
        "pg_attrdef",
        "pg_attribute",
        "pg_auth_members",
        "pg_authid",
        "pg_cast",
        "pg_class",
        "pg_collation",
        "pg_constraint",
        "pg_conversion",
        "pg_database",
        "pg_db_role_setting",
        "pg_default_acl",
        "pg_depend",
        "pg_description",
        "pg_enum",
        "pg_event_trigger",
        "pg_extension",
        "pg_foreign_data_wrapper",
        "pg_foreign_server",
        "pg_foreign_table",
        "pg_index",
        "pg_indexes",
        "pg_inherits",
        "pg_language",
        "pg_largeobject_metadata",
        "pg_locks",
        "pg_matviews",
        "pg_namespace",
        "pg_opclass",
        "pg_operator",
        "pg_opfamily",
        "pg_parameter_acl",
        "pg_partitioned_table",
        "pg_policy",
        "pg_proc",
        "pg_publication",
        "pg_publication_namespace",
        "pg_publication_rel",
        "pg_range",
        "pg_rewrite",
        "pg_roles",
        "pg_sequence",
        "pg_sequences",
        "pg_settings",
        "pg_shdescription",
        "pg_stat_activity",
        "pg_statistic_ext",
        "pg_subscription",
        "pg_tables",
        "pg_tablespace",
        "pg_trigger",
        "pg_ts_config",
        "pg_ts_config_map",
        "pg_ts_dict",
        "pg_ts_parser",
        "pg_ts_template",
        "pg_type",
        "pg_user",
        "pg_user_mappings",
        "pg_views",
    ],
    "information_schema": [
        "character_sets",
        "check_constraints",
        "columns",
        "constraint_column_usage",
        "key_column_usage",
        "parameters",
        "referential_constraints",
        "routines",
        "schemata",
        "sequences",
        "table_constraints",
        "table_privileges",
        "tables",
        "views",
    ],
}

TYPE_OIDS = {"bool": 16, "char": 18, "text": 25, "oid": 26}
# Columns new in PostgreSQL 16: (relation, column, type, NOT NULL, the column it follows or
# None for the first), in the order they are added.
PG16_COLUMNS = [
    ("pg_database", "daticurules", "text", False, "daticulocale"),
    ("pg_collation", "collicurules", "text", False, "colliculocale"),
    ("pg_auth_members", "oid", "oid", True, None),
    ("pg_auth_members", "inherit_option", "bool", True, "admin_option"),
    ("pg_auth_members", "set_option", "bool", True, "inherit_option"),
    ("pg_subscription", "subpasswordrequired", "bool", True, "subdisableonerr"),
    ("pg_subscription", "subrunasowner", "bool", True, "subpasswordrequired"),
    ("pg_subscription", "suborigin", "text", False, "subpublications"),
]
# Columns whose type PostgreSQL 16 changed: (relation, column) → type.
PG16_TYPES = {("pg_subscription", "substream"): "char"}

# Procs clients join or look up by name besides the types' own I/O functions.
EXTRA_PROCS = [
    "array_in",
    "array_recv",
    "oidvectorrecv",
    "version",
    "format_type",
    "pg_get_expr",
    "pg_get_indexdef",
    "pg_get_constraintdef",
    "pg_table_is_visible",
    "pg_type_is_visible",
    "obj_description",
    "col_description",
    "pg_get_userbyid",
    "current_schema",
    "current_schemas",
    "current_database",
    "pg_encoding_to_char",
    "has_table_privilege",
    "pg_backend_pid",
    "quote_ident",
    "array_to_string",
    "array_upper",
    "generate_series",
]

RELATIONS_SQL = """
SELECT c.oid::int8, c.relname, n.nspname, c.relkind, c.reltype::int8,
       json_agg(json_build_array(
           a.attname,
           CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END::int8,
           CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
           a.attnotnull)
        ORDER BY a.attnum)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
WHERE n.nspname = %s AND c.relname = ANY(%s)
GROUP BY 1, 2, 3, 4, 5 ORDER BY 1
"""


def dump_json(name: str, rows: object) -> None:
    folder = TYPES if name == "pg_type" else DATA
    (folder / f"{name}.json").write_text(json.dumps(rows, indent=0, sort_keys=True) + "\n")


def select_rows(cur: psycopg.Cursor, sql: str, params: object = None) -> list[dict]:
    cur.execute(sql, params)
    names = [d.name for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def as_in_pg16(relname: str, columns: list[list]) -> list[list]:
    """A PostgreSQL 15 relation's columns as PostgreSQL 16 has them."""
    for relation, column, type_name, is_not_null, after in PG16_COLUMNS:
        if relation == relname:
            position = [c[0] for c in columns].index(after) + 1 if after else 0
            columns.insert(position, [column, TYPE_OIDS[type_name], -1, is_not_null])
    for name_type in columns:
        retyped = PG16_TYPES.get((relname, name_type[0]))
        if retyped:
            name_type[1] = TYPE_OIDS[retyped]
    return columns


def dump_relations(cur: psycopg.Cursor) -> list[int]:
    relations = []
    for schema, names in CATALOG_RELATIONS.items():
        cur.execute(RELATIONS_SQL, (schema, names))
        for oid, relname, nspname, relkind, reltype, columns in cur.fetchall():
            columns = as_in_pg16(relname, columns)
            relations.append(
                {
                    "oid": oid,
                    "relname": relname,
                    "nspname": nspname,
                    "relkind": relkind,
                    "reltype": reltype,
                    "columns": columns,
                }
            )
    dump_json("relations", relations)
    return [r["reltype"] for r in relations if r["nspname"] == "pg_catalog"]


def dump_types(cur: psycopg.Cursor, reltypes: list[int]) -> list[int]:
    """Dumps pg_type and pg_range; returns the OIDs of the types' own functions."""
    types = select_rows(
        cur,
        """SELECT t.oid::int8 AS oid, t.typname::text, t.typlen, t.typbyval, t.typtype::text,
                  t.typcategory::text, t.typispreferred, t.typisdefined, t.typdelim::text,
                  t.typrelid::int8, t.typsubscript::oid::int8, t.typelem::int8,
                  t.typarray::int8, t.typinput::oid::int8, t.typoutput::oid::int8,
                  t.typreceive::oid::int8, t.typsend::oid::int8, t.typmodin::oid::int8,
                  t.typmodout::oid::int8, t.typanalyze::oid::int8, t.typalign::text,
                  t.typstorage::text, t.typnotnull, t.typbasetype::int8, t.typtypmod,
                  t.typndims, t.typcollation::int8
           FROM pg_type t
           WHERE t.typnamespace = 'pg_catalog'::regnamespace
             AND (t.typrelid = 0 OR t.oid = ANY(%s::oid[])
                  OR t.typelem = ANY(%s::oid[]))
           ORDER BY t.oid""",
        (reltypes, reltypes),
    )
    dump_json("pg_type", types)
    dump_json(
        "pg_range",
        select_rows(
            cur,
            """SELECT rngtypid::int8, rngsubtype::int8, rngmultitypid::int8, rngcollation::int8,
                  rngsubopc::int8, rngcanonical::oid::int8, rngsubdiff::oid::int8
           FROM pg_range ORDER BY 1""",
        ),
    )
    return [
        t[k]
        for t in types
        for k in t
        if k.startswith(
            ("typin", "typout", "typrec", "typsend", "typmod", "typanalyze", "typsubscript")
        )
        and t[k]
    ]


def dump_casts_and_languages(cur: psycopg.Cursor) -> list[int]:
    """Dumps pg_cast and pg_language; returns the OIDs of the functions they name."""
    casts = select_rows(
        cur,
        """SELECT oid::int8, castsource::int8, casttarget::int8, castfunc::int8,
                  castcontext::text, castmethod::text
           FROM pg_cast ORDER BY oid""",
    )
    dump_json("pg_cast", casts)
    languages = select_rows(
        cur,
        """SELECT oid::int8, lanname::text, lanispl, lanpltrusted, lanplcallfoid::int8,
                  laninline::int8, lanvalidator::int8
           FROM pg_language ORDER BY oid""",
    )
    dump_json("pg_language", languages)
    handlers = [row[k] for row in languages for k in ("lanplcallfoid", "laninline", "lanvalidator")]
    return [row["castfunc"] for row in casts] + handlers


# Besides pg_proc's columns, each row carries the argument list, the result type and the SQL
# body as pg_get_function_arguments, pg_get_function_result and pg_get_function_sqlbody
# print them.
PROCS_SQL = """
WITH wanted AS (
    SELECT oid FROM pg_proc
    WHERE pronamespace = 'pg_catalog'::regnamespace
      AND (oid = ANY(%s::oid[]) OR proname = ANY(%s))
)
SELECT p.oid::int8 AS oid, p.proname::text, p.prokind::text, p.prorettype::int8,
       p.proargtypes::oid[]::int8[] AS proargtypes, p.proretset, p.provolatile::text,
       p.proparallel::text, p.pronargs, p.prosrc, p.probin, p.prolang::int8, p.proisstrict,
       p.prosecdef, p.proleakproof, p.procost::float8, p.prorows::float8,
       p.prosupport::oid::int8, pg_get_function_arguments(p.oid) AS arguments,
       pg_get_function_result(p.oid) AS result, pg_get_function_sqlbody(p.oid) AS sqlbody
FROM pg_proc p
WHERE p.oid IN (SELECT oid FROM wanted)
   OR p.oid IN (SELECT prosupport FROM pg_proc WHERE oid IN (SELECT oid FROM wanted))
ORDER BY p.oid
"""


def dump_procs(cur: psycopg.Cursor, proc_oids: list[int]) -> None:
    wanted = sorted(set(proc_oids) - {0})
    dump_json("pg_proc", select_rows(cur, PROCS_SQL, (wanted, EXTRA_PROCS)))


def main(dsn: str) -> None:
    DATA.mkdir(exist_ok=True)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        reltypes = dump_relations(cur)
        proc_oids = dump_types(cur, reltypes) + dump_casts_and_languages(cur)
        dump_procs(cur, proc_oids)
        dump_json(
            "pg_am",
            select_rows(
                cur,
                "SELECT oid::int8, amname::text, amhandler::oid::int8, amtype::text "
                "FROM pg_am ORDER BY oid",
            ),
        )


if __name__ == "__main__":
    main(sys.argv[1])
