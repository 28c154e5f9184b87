// The schema browser beside the editor: schemas → tables → columns with types and row counts,
// filtered as you type; clicking a name inserts it at the cursor.

import { formatCount } from "./format.js";

export class SchemaBrowser {
  constructor(root, { onInsert }) {
    this.root = root;
    this.onInsert = onInsert;
    this.search = root.querySelector("[data-schema-search]");
    this.tree = root.querySelector("[data-schema-tree]");
    this.search.addEventListener("input", () => this.filter());
    this.tree.addEventListener("click", (event) => this.onClick(event));
  }

  showLoading(name) {
    this.tree.replaceChildren(text("li", `loading ${name}…`, "schema-note"));
  }

  showError(message) {
    this.tree.replaceChildren(text("li", message, "schema-error"));
  }

  render(catalog) {
    this.catalog = catalog;
    const items = catalog.schemas.map((schema) => {
      const li = text("li", "", "schema-node");
      const details = document.createElement("details");
      details.open = catalog.schemas.length <= 3 || schema.name === catalog.default_schema;
      const summary = document.createElement("summary");
      summary.append(text("span", schema.name, "schema-name"), text("span", `${schema.tables.length}`, "schema-count"));
      const tables = document.createElement("ul");
      tables.className = "schema-tables";
      for (const table of schema.tables) tables.append(this.tableNode(schema.name, table));
      details.append(summary, tables);
      li.append(details);
      return li;
    });
    this.tree.replaceChildren(...items);
    this.filter();
  }

  tableNode(schemaName, table) {
    const qualified = schemaName === this.catalog.default_schema ? table.name : `${schemaName}.${table.name}`;
    const li = text("li", "", "schema-table");
    li.dataset.search = `${schemaName}.${table.name} ${table.columns.map((c) => c.name).join(" ")}`.toLowerCase();
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    const name = text("button", table.name, `schema-insert kind-${table.kind}`);
    name.type = "button";
    name.dataset.insert = quoteName(qualified);
    name.title = `insert ${qualified}`;
    summary.append(name);
    if (table.row_count !== null && table.row_count !== undefined) summary.append(text("span", formatCount(table.row_count), "schema-rows"));
    const columns = document.createElement("ul");
    columns.className = "schema-columns";
    for (const column of table.columns) {
      const item = text("li", "", "schema-column");
      item.dataset.search = column.name.toLowerCase();
      const button = text("button", column.name, "schema-insert");
      button.type = "button";
      button.dataset.insert = quoteName(column.name);
      button.title = `insert ${column.name}`;
      item.append(button, text("span", column.type, "schema-type"));
      columns.append(item);
    }
    details.append(summary, columns);
    li.append(details);
    return li;
  }

  filter() {
    const needle = this.search.value.trim().toLowerCase();
    for (const table of this.tree.querySelectorAll(".schema-table")) {
      const isHit = !needle || table.dataset.search.includes(needle);
      table.hidden = !isHit;
      if (needle && isHit) table.closest(".schema-node").querySelector("details").open = true;
    }
  }

  onClick(event) {
    const button = event.target.closest("[data-insert]");
    if (!button) return;
    event.preventDefault();
    this.onInsert(button.dataset.insert);
  }
}

function quoteName(name) {
  return name.split(".").map((part) => (/^[a-z_][a-z0-9_]*$/.test(part) ? part : `"${part.replace(/"/g, '""')}"`)).join(".");
}

function text(tag, content, className) {
  const node = document.createElement(tag);
  if (content) node.textContent = content;
  if (className) node.className = className;
  return node;
}
