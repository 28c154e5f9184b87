// The result grid: a virtual window over a server-side result. Only the rows in view (plus a
// few pages around them) are ever in the browser; sorting asks the server for a new order.
// Very tall results are scrolled proportionally, because browsers cap an element's height.

import { columnKind, decimalScale, formatCell } from "./format.js";

const ROW_HEIGHT = 26;
const PAGE_ROWS = 200;
const MAX_CACHED_PAGES = 40;
const MAX_SPACER_PX = 8_000_000;
const FETCH_DELAY_MS = 40;
const MAX_RETRIES = 3;

export class ResultGrid {
  /**
   * fetchPage({offset, limit, orderBy}) -> Promise<rows[][]>; orderBy is "col,-col2" or "".
   * initialRows: the first rows in the server's default order, shown without a request.
   */
  constructor(root, { columns, rowCount, fetchPage, initialRows = [] }) {
    this.root = root;
    this.columns = columns;
    this.kinds = columns.map((c) => columnKind(c.type));
    this.scales = columns.map((c) => decimalScale(c.type));
    this.rowCount = rowCount;
    this.fetchPage = fetchPage;
    this.order = []; // [{name, desc}]
    this.pages = new Map();
    this.generation = 0;
    this.selected = null;
    this.build();
    if (initialRows.length) this.seed(initialRows);
    this.render();
  }

  build() {
    this.root.innerHTML = "";
    this.root.classList.add("grid");
    this.viewport = el("div", "grid-viewport");
    this.viewport.tabIndex = 0;
    this.viewport.setAttribute("role", "grid");
    this.viewport.setAttribute("aria-rowcount", String(this.rowCount));
    this.spacer = el("div", "grid-spacer");
    this.table = el("table", "grid-table");
    const colgroup = el("colgroup");
    colgroup.append(colWidth(this.rowNumberWidth()));
    this.widths = this.columns.map((c) => Math.min(320, Math.max(72, c.name.length * 8 + 40)));
    this.widths.forEach((w) => colgroup.append(colWidth(w)));
    this.colgroup = colgroup;
    const thead = el("thead");
    const headRow = el("tr");
    headRow.append(el("th", "grid-rownum", "#"));
    this.headers = this.columns.map((column, index) => {
      const th = el("th", `grid-head kind-${this.kinds[index]}`);
      th.dataset.column = column.name;
      th.title = `${column.name} · ${column.type}  (click: sort, shift+click: add to sort)`;
      const label = el("span", "grid-head-name", column.name);
      const type = el("span", "grid-head-type", shortType(column.type));
      const arrow = el("span", "grid-sort");
      th.append(label, type, arrow);
      th.addEventListener("click", (event) => this.toggleSort(column.name, event.shiftKey));
      headRow.append(th);
      return th;
    });
    thead.append(headRow);
    this.tbody = el("tbody");
    this.table.append(colgroup, thead, this.tbody);
    this.spacer.append(this.table);
    this.viewport.append(this.spacer);
    this.root.append(this.viewport);
    this.popover = el("div", "grid-popover");
    this.popover.hidden = true;
    this.root.append(this.popover);
    this.viewport.addEventListener("scroll", () => this.schedule());
    this.viewport.addEventListener("keydown", (event) => this.onKey(event));
    this.tbody.addEventListener("click", (event) => this.onCellClick(event));
    this.resizeObserver = new ResizeObserver(() => this.schedule());
    this.resizeObserver.observe(this.viewport);
    this.sizeSpacer();
  }

  rowNumberWidth() {
    return Math.max(48, String(this.rowCount).length * 8 + 20);
  }

  sizeSpacer() {
    const natural = this.rowCount * ROW_HEIGHT + ROW_HEIGHT + 4;
    this.spacer.style.height = `${Math.min(natural, MAX_SPACER_PX)}px`;
    this.isScaled = natural > MAX_SPACER_PX;
  }

  seed(rows) {
    for (let start = 0; start < rows.length; start += PAGE_ROWS) {
      const chunk = rows.slice(start, start + PAGE_ROWS);
      if (chunk.length === PAGE_ROWS || start + chunk.length >= this.rowCount) {
        this.pages.set(start / PAGE_ROWS, chunk);
      }
    }
  }

  visibleRows() {
    return Math.max(1, Math.ceil((this.viewport.clientHeight - ROW_HEIGHT) / ROW_HEIGHT) + 1);
  }

  firstRow() {
    const visible = this.visibleRows();
    const maxFirst = Math.max(0, this.rowCount - visible + 1);
    const top = this.viewport.scrollTop;
    if (!this.isScaled) return Math.min(maxFirst, Math.floor(top / ROW_HEIGHT));
    // a pixel spans several rows here: keyboard jumps land on their exact row, the ends snap
    if (this.pinned && Math.abs(this.pinned.top - top) < 1) return Math.min(maxFirst, this.pinned.first);
    const maxScroll = Math.max(1, this.viewport.scrollHeight - this.viewport.clientHeight);
    if (top >= maxScroll - 1) return maxFirst;
    return Math.round((top / maxScroll) * maxFirst);
  }

  schedule() {
    if (this.frame || this.isDisposed) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.render();
    });
  }

  render() {
    const first = this.firstRow();
    const count = Math.min(this.visibleRows(), Math.max(0, this.rowCount - first));
    this.first = first;
    const rows = [];
    let missing = false;
    for (let index = first; index < first + count; index++) {
      const page = this.pages.get(Math.floor(index / PAGE_ROWS));
      const row = Array.isArray(page) ? page[index % PAGE_ROWS] : undefined;
      if (row === undefined) missing = true;
      rows.push([index, row]);
    }
    this.paint(rows);
    if (missing) this.loadAround(first, count);
    this.root.dispatchEvent(new CustomEvent("grid:window", { detail: { first, count, total: this.rowCount } }));
  }

  paint(rows) {
    const fragment = document.createDocumentFragment();
    for (const [index, row] of rows) {
      const tr = el("tr", index % 2 ? "odd" : "even");
      tr.dataset.row = String(index);
      tr.append(el("td", "grid-rownum", String(index + 1)));
      if (row === undefined) {
        const td = el("td", "grid-loading", "…");
        td.colSpan = this.columns.length;
        tr.append(td);
      } else {
        row.forEach((value, column) => {
          const cell = formatCell(value, this.kinds[column], this.scales[column]);
          const td = el("td", cell.className, cell.text);
          td.dataset.col = String(column);
          if (cell.title) td.title = cell.title;
          if (this.selected && this.selected.row === index && this.selected.col === column) td.classList.add("selected");
          tr.append(td);
        });
      }
      fragment.append(tr);
    }
    this.tbody.replaceChildren(fragment);
  }

  loadAround(first, count) {
    clearTimeout(this.fetchTimer);
    this.fetchTimer = setTimeout(() => {
      const firstPage = Math.floor(first / PAGE_ROWS);
      const lastPage = Math.floor((first + count) / PAGE_ROWS);
      for (let page = firstPage; page <= lastPage; page++) this.loadPage(page);
    }, this.pages.size ? FETCH_DELAY_MS : 0);
  }

  async loadPage(page) {
    if (this.pages.has(page)) return;
    const generation = this.generation;
    this.pages.set(page, "loading");
    try {
      const rows = await this.fetchPage({ offset: page * PAGE_ROWS, limit: PAGE_ROWS, orderBy: this.orderParam() });
      if (generation !== this.generation) return;
      this.pages.set(page, rows);
      this.evict(page);
      this.schedule();
    } catch (error) {
      if (generation !== this.generation) return;
      this.pages.delete(page);
      this.failures = (this.failures || 0) + 1;
      if (this.failures <= MAX_RETRIES) setTimeout(() => this.schedule(), 250 * this.failures);
      else this.root.dispatchEvent(new CustomEvent("grid:error", { detail: { message: error.message } }));
      return;
    }
    this.failures = 0;
  }

  // Stop answering scrolls and page loads: a new result replaced this grid.
  dispose() {
    this.generation += 1;
    this.isDisposed = true;
    this.resizeObserver.disconnect();
    clearTimeout(this.fetchTimer);
  }

  evict(keep) {
    if (this.pages.size <= MAX_CACHED_PAGES) return;
    const far = [...this.pages.keys()].sort((a, b) => Math.abs(b - keep) - Math.abs(a - keep));
    for (const page of far.slice(0, this.pages.size - MAX_CACHED_PAGES)) this.pages.delete(page);
  }

  orderParam() {
    return this.order.map((o) => (o.desc ? "-" : "") + o.name).join(",");
  }

  toggleSort(name, isAdding) {
    const current = this.order.find((o) => o.name === name);
    let next;
    if (!current) next = { name, desc: false };
    else if (!current.desc) next = { name, desc: true };
    else next = null;
    const others = isAdding ? this.order.filter((o) => o.name !== name) : [];
    this.order = next ? [...others, next] : others;
    this.headers.forEach((th) => {
      const index = this.order.findIndex((o) => o.name === th.dataset.column);
      const arrow = th.querySelector(".grid-sort");
      th.classList.toggle("sorted", index >= 0);
      th.setAttribute("aria-sort", index < 0 ? "none" : this.order[index].desc ? "descending" : "ascending");
      arrow.textContent = index < 0 ? "" : (this.order[index].desc ? "▼" : "▲") + (this.order.length > 1 ? index + 1 : "");
    });
    this.generation += 1;
    this.pages.clear();
    this.viewport.scrollTop = 0;
    this.render();
  }

  scrollToRow(index) {
    const target = Math.max(0, Math.min(this.rowCount - 1, index));
    if (!this.isScaled) this.viewport.scrollTop = target * ROW_HEIGHT;
    else {
      const maxFirst = Math.max(1, this.rowCount - this.visibleRows() + 1);
      const first = Math.min(target, maxFirst);
      this.viewport.scrollTop = (first / maxFirst) * (this.viewport.scrollHeight - this.viewport.clientHeight);
      this.pinned = { first, top: this.viewport.scrollTop };
    }
    this.render();
  }

  onKey(event) {
    const page = this.visibleRows() - 2;
    const moves = { PageDown: page, PageUp: -page, ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves) this.scrollToRow(this.first + moves[event.key]);
    else if (event.key === "Home" && event.ctrlKey) this.scrollToRow(0);
    else if (event.key === "End" && event.ctrlKey) this.scrollToRow(this.rowCount);
    else if (event.key === "Escape") this.popover.hidden = true;
    else if ((event.ctrlKey || event.metaKey) && event.key === "c" && this.selected) this.copySelected();
    else return;
    event.preventDefault();
  }

  onCellClick(event) {
    const td = event.target.closest("td[data-col]");
    if (!td) return;
    const row = Number(td.parentElement.dataset.row);
    const col = Number(td.dataset.col);
    this.selected = { row, col };
    this.tbody.querySelectorAll("td.selected").forEach((cell) => cell.classList.remove("selected"));
    td.classList.add("selected");
    this.popover.hidden = !td.title || !td.classList.contains("cell-long");
    if (!this.popover.hidden) {
      this.popover.textContent = td.title;
      this.popover.style.top = `${td.offsetTop + ROW_HEIGHT + 4}px`;
    }
  }

  valueAt(row, col) {
    const page = this.pages.get(Math.floor(row / PAGE_ROWS));
    return Array.isArray(page) ? page[row % PAGE_ROWS][col] : undefined;
  }

  copySelected() {
    const value = this.valueAt(this.selected.row, this.selected.col);
    const text = value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
    navigator.clipboard?.writeText(text);
  }
}

function shortType(type) {
  return type.replace(/\[.*\]$/, "").replace(/^timestamp.*/, "timestamp").replace(/<.*>$/, "<…>");
}

function colWidth(px) {
  const col = document.createElement("col");
  col.style.width = `${px}px`;
  return col;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
