// Schema-aware completion: columns of the tables the statement already names come first,
// then tables, schemas, functions and keywords of the dialect.

import { keywordCompletionSource, schemaCompletionSource } from "@codemirror/lang-sql";
import { statementRanges } from "./statements.js";

const WORD = /[\w$]*$/;
const TABLE_REF = /\b(?:from|join|update|into)\s+((?:"[^"]+"|[\w$]+)(?:\.(?:"[^"]+"|[\w$]+)){0,2})(?:\s+(?:as\s+)?([\w$]+))?/gi;
const NOT_ALIAS = new Set(["where", "join", "left", "right", "inner", "outer", "full", "cross", "on", "group", "order", "limit", "union", "natural", "using", "having", "window", "qualify", "as", "version", "timestamp"]);

// catalog: {schemas: [{name, tables: [{name, kind, row_count, columns: [{name, type}]}]}], default_schema}
export function buildNamespace(catalog) {
  const namespace = {};
  for (const schema of catalog.schemas) {
    const tables = {};
    for (const table of schema.tables) {
      tables[table.name] = {
        self: { label: table.name, type: "type", detail: table.kind === "view" ? "view" : "table" },
        children: table.columns.map((c) => ({ label: c.name, type: "property", detail: c.type })),
      };
    }
    namespace[schema.name] = { self: { label: schema.name, type: "namespace", detail: "schema" }, children: tables };
  }
  return namespace;
}

function tablesByName(catalog) {
  const byName = new Map();
  for (const schema of catalog.schemas) {
    for (const table of schema.tables) {
      byName.set(table.name.toLowerCase(), table);
      byName.set(`${schema.name}.${table.name}`.toLowerCase(), table);
    }
  }
  return byName;
}

function unquote(name) {
  return name.replace(/"/g, "");
}

// The tables named in the statement around `pos`, with their aliases.
export function namedTables(text, pos, byName) {
  const range = statementRanges(text).find((r) => pos >= r.from && pos <= r.to + 1) || { from: 0, to: text.length };
  const statement = text.slice(range.from, range.to);
  const found = [];
  for (const match of statement.matchAll(TABLE_REF)) {
    const parts = unquote(match[1]).toLowerCase().split(".");
    const table = byName.get(parts.slice(-2).join(".")) || byName.get(parts[parts.length - 1]);
    if (!table) continue;
    const alias = match[2] && !NOT_ALIAS.has(match[2].toLowerCase()) ? match[2] : null;
    found.push({ table, alias });
  }
  return found;
}

function columnSource(catalog) {
  const byName = tablesByName(catalog);
  const allColumns = [];
  const seen = new Set();
  for (const schema of catalog.schemas) {
    for (const table of schema.tables) {
      for (const column of table.columns) {
        if (seen.has(column.name)) continue;
        seen.add(column.name);
        allColumns.push({ label: column.name, type: "property", detail: `${table.name} · ${column.type}`, boost: -20 });
      }
    }
  }
  return (context) => {
    const before = context.state.doc.sliceString(Math.max(0, context.pos - 200), context.pos);
    const word = before.match(WORD)[0];
    const charBefore = before[before.length - word.length - 1];
    if (charBefore === "." || (!word && !context.explicit)) return null;
    const text = context.state.doc.toString();
    const named = namedTables(text, context.pos, byName);
    const options = [];
    const inNamed = new Set();
    for (const { table, alias } of named) {
      for (const column of table.columns) {
        inNamed.add(column.name);
        options.push({ label: column.name, type: "property", detail: `${alias || table.name} · ${column.type}`, boost: 30 });
      }
    }
    for (const option of allColumns) if (!inNamed.has(option.label)) options.push(option);
    return { from: context.pos - word.length, options, validFor: /^[\w$]*$/ };
  };
}

// After "alias." offer that table's columns (lang-sql only knows real table names).
function aliasSource(catalog) {
  const byName = tablesByName(catalog);
  return (context) => {
    const before = context.state.doc.sliceString(Math.max(0, context.pos - 200), context.pos);
    const match = before.match(/([\w$]+)\.([\w$]*)$/);
    if (!match) return null;
    const named = namedTables(context.state.doc.toString(), context.pos, byName);
    const hit = named.find((n) => n.alias && n.alias.toLowerCase() === match[1].toLowerCase());
    if (!hit) return null;
    return {
      from: context.pos - match[2].length,
      options: hit.table.columns.map((c) => ({ label: c.name, type: "property", detail: c.type, boost: 30 })),
      validFor: /^[\w$]*$/,
    };
  };
}

function functionSource(functions) {
  const options = functions.map((name) => ({ label: name, type: "function", apply: name, boost: -10 }));
  return (context) => {
    const word = context.matchBefore(/[\w$]+/);
    if (!word || word.from === word.to) return null;
    const charBefore = context.state.doc.sliceString(word.from - 1, word.from);
    if (charBefore === ".") return null;
    return { from: word.from, options, validFor: /^[\w$]*$/ };
  };
}

export function completionSources({ dialect, catalog, functions }) {
  const namespace = buildNamespace(catalog);
  return [
    aliasSource(catalog),
    columnSource(catalog),
    schemaCompletionSource({ dialect, schema: namespace, defaultSchema: catalog.default_schema || undefined }),
    functionSource(functions || []),
    keywordCompletionSource(dialect, true),
  ];
}
