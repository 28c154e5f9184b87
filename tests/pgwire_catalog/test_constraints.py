"""Constraints in the emulated catalog beyond the captured client queries: what is left out,
identifier quoting and the search path in pg_get_constraintdef/pg_get_indexdef."""

from __future__ import annotations

from connectors.base import ColumnInfo, ConstraintInfo, ConstraintKind, TableInfo
from pgwire.catalog import CatalogSession

ORDER_LINES = TableInfo(
    "Sales",
    "Order Lines",
    (ColumnInfo("user", "INTEGER", nullable=False), ColumnInfo("Ref", "INTEGER")),
    constraints=(
        ConstraintInfo("Order Lines_pkey", ConstraintKind.PRIMARY_KEY, ("user",)),
        ConstraintInfo("Order Lines_Ref_key", ConstraintKind.UNIQUE, ("Ref",)),
    ),
)
NOTES = TableInfo(
    "Sales",
    "notes",
    (ColumnInfo("n", "INTEGER"),),
    constraints=(
        ConstraintInfo(
            "notes_n_fkey", ConstraintKind.FOREIGN_KEY, ("n",), "Sales", "Order Lines", ("Ref",)
        ),
    ),
)


def session(tables: list[TableInfo], search_path: str = '"$user", public') -> CatalogSession:
    return CatalogSession("demo", "analyst", ["demo"], tables, {"search_path": search_path})


def definitions(catalog: CatalogSession) -> list[tuple[str, str]]:
    rows = catalog.execute(
        "SELECT conname, pg_get_constraintdef(oid, true) AS def FROM pg_constraint ORDER BY 1"
    )
    return [(row["conname"], row["def"]) for row in rows.to_pylist()]


def test_definitions_quote_identifiers_like_postgres() -> None:
    catalog = session([ORDER_LINES, NOTES])

    assert definitions(catalog) == [
        ("Order Lines_Ref_key", 'UNIQUE ("Ref")'),
        ("Order Lines_pkey", 'PRIMARY KEY ("user")'),
        ("notes_n_fkey", 'FOREIGN KEY (n) REFERENCES "Sales"."Order Lines"("Ref")'),
    ]
    indexes = catalog.execute(
        "SELECT pg_get_indexdef(indexrelid) AS def, pg_get_indexdef(indexrelid, 1, true) AS col "
        "FROM pg_index WHERE indisprimary"
    ).to_pylist()
    assert indexes == [
        {
            "def": 'CREATE UNIQUE INDEX "Order Lines_pkey" ON "Sales"."Order Lines" '
            'USING btree ("user")',
            "col": '"user"',
        }
    ]


def test_a_referenced_table_on_the_search_path_is_named_bare() -> None:
    catalog = session([ORDER_LINES, NOTES], search_path='"Sales"')

    assert definitions(catalog)[-1] == (
        "notes_n_fkey",
        'FOREIGN KEY (n) REFERENCES "Order Lines"("Ref")',
    )


def test_constraints_whose_tables_or_columns_are_not_shown_are_left_out() -> None:
    hidden_column = TableInfo(
        "main",
        "masked",
        (ColumnInfo("a", "INTEGER"),),
        constraints=(ConstraintInfo("masked_pkey", ConstraintKind.PRIMARY_KEY, ("secret",)),),
    )
    catalog = session([NOTES, hidden_column])

    assert definitions(catalog) == []
    assert catalog.execute("SELECT count(*) AS n FROM pg_index").to_pylist() == [{"n": 0}]
    assert catalog.execute(
        "SELECT relhasindex, relhastriggers FROM pg_class WHERE relname = 'notes'"
    ).to_pylist() == [{"relhasindex": False, "relhastriggers": False}]


def test_index_relations_have_their_columns_as_attributes() -> None:
    catalog = session([ORDER_LINES, NOTES])
    rows = catalog.execute(
        "SELECT c.relname, c.relkind, am.amname, a.attnum, a.attname, "
        "format_type(a.atttypid, a.atttypmod) AS type "
        "FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
        "JOIN pg_attribute a ON a.attrelid = c.oid "
        "WHERE c.relkind = 'i' ORDER BY 1, 4"
    ).to_pylist()

    assert rows == [
        {
            "relname": "Order Lines_Ref_key",
            "relkind": "i",
            "amname": "btree",
            "attnum": 1,
            "attname": "Ref",
            "type": "integer",
        },
        {
            "relname": "Order Lines_pkey",
            "relkind": "i",
            "amname": "btree",
            "attnum": 1,
            "attname": "user",
            "type": "integer",
        },
    ]


def test_indkey_is_an_int2vector_clients_can_search_and_subscript() -> None:
    catalog = session([ORDER_LINES, NOTES])
    rows = catalog.execute(
        "SELECT a.attname, i.indkey[0] AS first FROM pg_index i JOIN pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) ORDER BY 1"
    )

    assert rows.to_pylist() == [{"attname": "Ref", "first": 2}, {"attname": "user", "first": 1}]
    assert rows.schema.field("first").metadata == {b"pg_type": b"int2"}
