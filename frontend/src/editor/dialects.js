// CodeMirror SQL dialects per engine: highlighting and keyword completion in the dialect the
// data source speaks (sqlglot's dialect names, as the server reports them).

import { PostgreSQL, SQLDialect, StandardSQL } from "@codemirror/lang-sql";

const DUCKDB_KEYWORDS =
  "anti asof attach columns describe exclude ilike instance pivot pivot_longer pivot_wider " +
  "positional qualify replace sample semi summarize unpivot using glob lambda struct map " +
  "tablesample unnest within filter window range rows groups";

const DUCKDB_TYPES =
  "hugeint uhugeint ubigint uinteger usmallint utinyint tinyint blob varint uuid list struct " +
  "map union timestamptz timestamp_s timestamp_ms timestamp_ns interval json";

export const DuckDB = SQLDialect.define({
  ...PostgreSQL.spec,
  keywords: `${PostgreSQL.spec.keywords} ${DUCKDB_KEYWORDS}`,
  types: `${PostgreSQL.spec.types} ${DUCKDB_TYPES}`,
  doubleDollarQuotedStrings: true,
});

export const Databricks = SQLDialect.define({
  ...StandardSQL.spec,
  keywords:
    `${StandardSQL.spec.keywords} version timestamp as of history describe detail ` +
    "qualify pivot unpivot lateral explode posexplode tablesample rlike regexp cluster distribute sort",
  identifierQuotes: "`",
  backslashEscapes: true,
});

const BY_NAME = { duckdb: DuckDB, postgres: PostgreSQL, databricks: Databricks };

export function dialectFor(name) {
  return BY_NAME[name] || StandardSQL;
}
