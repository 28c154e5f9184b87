"""Regenerate pgwire/catalog/data/*.json from a real PostgreSQL server.

Usage: python tests/pgwire_catalog/dump_builtins.py "host=127.0.0.1 user=postgres dbname=test"

The emulated catalog must carry PostgreSQL's own OIDs, type rows and column sets; reading
them from a real server is the only way to keep them exact. Built-in OIDs are identical
across PostgreSQL 15 and 16; the two column-set differences that matter to clients
(pg_database.daticurules, pg_collation.collicurules, both new in 16) are added here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import psycopg

DATA = Path(__file__).resolve().parents[2] / "pgwire" / "catalog" / "data"

CATALOG_RELATIONS = {
    "pg_catalog": [
        "pg_aggregate",
        "pg_am",
        "pg_attrdef",
        "pg_attribute",
        "pg_authid",
        "pg_class",
        "pg_collation",
        "pg_constraint",
        "pg_database",
        "pg_depend",
        "pg_description",
        "pg_enum",
        "pg_event_trigger",
        "pg_extension",
        "pg_foreign_table",
        "pg_index",
        "pg_indexes",
        "pg_inherits",
        "pg_language",
        "pg_locks",
        "pg_matviews",
        "pg_namespace",
        "pg_opclass",
        "pg_operator",
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
        "pg_tables",
        "pg_tablespace",
        "pg_trigger",
        "pg_type",
        "pg_user",
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

# Added after the named column in PostgreSQL 16.
PG16_COLUMNS = {
    "pg_database": ("daticulocale", ("daticurules", "text")),
    "pg_collation": ("colliculocale", ("collicurules", "text")),
}

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
    (DATA / f"{name}.json").write_text(json.dumps(rows, indent=0, sort_keys=True) + "\n")


def select_rows(cur: psycopg.Cursor, sql: str, params: object = None) -> list[dict]:
    cur.execute(sql, params)
    names = [d.name for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def dump_relations(cur: psycopg.Cursor) -> list[int]:
    relations = []
    for schema, names in CATALOG_RELATIONS.items():
        cur.execute(RELATIONS_SQL, (schema, names))
        for oid, relname, nspname, relkind, reltype, columns in cur.fetchall():
            if relname in PG16_COLUMNS:
                after, (column, type_name) = PG16_COLUMNS[relname]
                position = [c[0] for c in columns].index(after) + 1
                columns.insert(position, [column, {"text": 25}[type_name], -1, False])
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


def dump_types(cur: psycopg.Cursor, reltypes: list[int]) -> None:
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
    proc_oids = sorted(
        {
            t[k]
            for t in types
            for k in t
            if k.startswith(
                ("typin", "typout", "typrec", "typsend", "typmod", "typanalyze", "typsubscript")
            )
            and t[k]
        }
    )
    procs = select_rows(
        cur,
        """SELECT p.oid::int8 AS oid, p.proname::text, p.prokind::text, p.prorettype::int8,
                  p.proargtypes::oid[]::int8[] AS proargtypes, p.proretset, p.provolatile::text,
                  p.pronargs, p.prosrc, p.prolang::int8, p.proisstrict
           FROM pg_proc p
           WHERE p.pronamespace = 'pg_catalog'::regnamespace
             AND (p.oid = ANY(%s::oid[]) OR p.proname = ANY(%s))
           ORDER BY p.oid""",
        (proc_oids, EXTRA_PROCS),
    )
    dump_json("pg_proc", procs)
    dump_json(
        "pg_range",
        select_rows(
            cur,
            """SELECT rngtypid::int8, rngsubtype::int8, rngmultitypid::int8, rngcollation::int8,
                  rngsubopc::int8, rngcanonical::oid::int8, rngsubdiff::oid::int8
           FROM pg_range ORDER BY 1""",
        ),
    )


def main(dsn: str) -> None:
    DATA.mkdir(exist_ok=True)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        reltypes = dump_relations(cur)
        dump_types(cur, reltypes)
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
