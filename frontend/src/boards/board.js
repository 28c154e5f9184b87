// The dashboard page: one event stream loads every widget; charts are drawn when they
// scroll into view; filters, cross-filters and auto-refresh reload through one new stream.

import { renderFilters } from "./filters.js";
import { readEvents } from "./sse.js";
import { ago, ageSeconds } from "./time.js";

const OTHER = "Other";

function themed(layout) {
  const styles = getComputedStyle(document.documentElement);
  const fg = styles.getPropertyValue("--fg").trim() || "#1d2330";
  const grid = styles.getPropertyValue("--border").trim() || "#d9dde5";
  const axis = (a) => ({ gridcolor: grid, zerolinecolor: grid, automargin: true, ...(a || {}) });
  return {
    ...layout,
    autosize: true,
    margin: { l: 40, r: 16, t: 16, b: 36, ...(layout.margin || {}) },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { color: fg, size: 12, ...(layout.font || {}) },
    xaxis: axis(layout.xaxis),
    yaxis: axis(layout.yaxis),
  };
}

export class Board {
  constructor(root) {
    this.root = root;
    this.config = JSON.parse(root.querySelector("#board-config").textContent);
    this.mode = this.config.mode;
    this.grid = null;
    this.boxes = new Map();
    for (const node of root.querySelectorAll("[data-widget]")) {
      if (node.dataset.kind === "visualization") this.boxes.set(Number(node.dataset.widget), node);
    }
    this.payloads = new Map();
    this.visible = new Set();
    this.drawn = new Set();
    this.controller = null;
    this.timer = null;
    const params = new URLSearchParams(location.search);
    this.filterValues = JSON.parse(params.get("filters") || "{}");
    for (const filter of this.config.filters) {
      if (!(filter.name in this.filterValues) && filter.value !== null && filter.value !== undefined) {
        this.filterValues[filter.name] = filter.value;
      }
    }
    this.crossFilters = JSON.parse(params.get("xf") || "[]");
    const asked = params.get("refresh_s");
    this.refreshS = asked !== null ? Number(asked) : this.config.refresh_interval_s;
  }

  start() {
    this.renderFilterBar();
    this.renderCrossFilters();
    this.setupRefresh();
    if (this.mode === "export") {
      for (const id of this.boxes.keys()) this.visible.add(id);
    } else {
      this.observer = new IntersectionObserver((entries) => this.onVisibility(entries), { rootMargin: "200px" });
      for (const box of this.boxes.values()) this.observer.observe(box);
    }
    setInterval(() => this.renderFreshness(), 20_000);
    window.addEventListener("resize", () => this.resizeAll());
    this.load();
  }

  // -- loading ------------------------------------------------------------------------

  query(extra = {}) {
    const params = new URLSearchParams();
    const filters = Object.fromEntries(Object.entries(this.filterValues).filter(([, v]) => v !== null && v !== undefined));
    if (Object.keys(filters).length) params.set("filters", JSON.stringify(filters));
    if (this.crossFilters.length) params.set("xf", JSON.stringify(this.crossFilters));
    for (const [key, value] of Object.entries(extra)) if (value !== undefined && value !== null) params.set(key, value);
    return params;
  }

  onScreenFirst() {
    const height = window.innerHeight;
    return [...this.boxes.entries()]
      .filter(([, box]) => { const r = box.getBoundingClientRect(); return r.bottom > 0 && r.top < height; })
      .map(([id]) => id);
  }

  async load({ refresh = false } = {}) {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    delete document.body.dataset.boardReady;
    this.root.dataset.loading = "1";
    const params = this.query({
      first: this.onScreenFirst().join(",") || undefined,
      refresh: refresh ? "1" : undefined,
      max_age: this.refreshS > 0 ? String(this.refreshS) : undefined,
    });
    for (const box of this.boxes.values()) box.classList.add("is-loading");
    try {
      await readEvents(`${this.config.urls.data}?${params}`, {
        signal: controller.signal,
        onEvent: (name, data) => this.onEvent(name, data),
      });
    } catch (error) {
      if (error.name === "AbortError") return;
      for (const id of this.boxes.keys()) {
        if (!this.payloads.has(id)) this.onWidget({ id, status: "error", error: error.message });
      }
      this.onDone();
    } finally {
      if (this.controller === controller) delete this.root.dataset.loading;
    }
  }

  onEvent(name, data) {
    if (name === "widget") this.onWidget(data);
    else if (name === "done") this.onDone();
  }

  onWidget(payload) {
    const box = this.boxes.get(payload.id);
    if (!box) return;
    const status = box.querySelector("[data-status]");
    box.dataset.state = payload.status;
    if (payload.status === "running") {
      status.hidden = false;
      status.textContent = "Running…";
      return;
    }
    box.classList.remove("is-loading");
    this.payloads.set(payload.id, payload);
    if (payload.status === "error") {
      status.hidden = false;
      status.className = "widget-status is-error";
      status.textContent = payload.error;
      box.querySelector("[data-chart]").hidden = true;
      this.drawn.add(payload.id);
    } else {
      status.hidden = true;
      status.className = "widget-status";
      box.querySelector("[data-chart]").hidden = false;
      this.drawn.delete(payload.id);
      if (this.visible.has(payload.id)) this.draw(payload.id);
    }
    this.renderFreshness();
    this.renderFilteredBadge(payload);
    this.checkReady();
  }

  onDone() {
    this.streamDone = true;
    this.checkReady();
  }

  checkReady() {
    if (!this.streamDone && this.payloads.size < this.boxes.size) return;
    const waiting = [...this.boxes.keys()].filter((id) => this.visible.has(id) && !this.drawn.has(id));
    if (this.payloads.size >= this.boxes.size && waiting.length === 0) {
      document.body.dataset.boardReady = "1";
      if (this.drawn.size === this.boxes.size) document.body.dataset.boardAllDrawn = "1";
    }
  }

  // -- drawing ------------------------------------------------------------------------

  onVisibility(entries) {
    for (const entry of entries) {
      const id = Number(entry.target.dataset.widget);
      if (entry.isIntersecting) {
        this.visible.add(id);
        if (!this.drawn.has(id) && this.payloads.get(id)?.status === "ok") this.draw(id);
      }
    }
  }

  async draw(id) {
    const payload = this.payloads.get(id);
    const box = this.boxes.get(id);
    const chart = box.querySelector("[data-chart]");
    const { data, layout } = payload.figure;
    await window.Plotly.react(chart, data, themed(layout), this.config.plotly);
    if (!chart.dataset.clickBound) {
      chart.dataset.clickBound = "1";
      chart.on("plotly_click", (event) => this.onChartClick(id, event));
    }
    this.drawn.add(id);
    box.dataset.drawn = "1";
    this.checkReady();
  }

  resizeAll() {
    for (const id of this.drawn) {
      const chart = this.boxes.get(id)?.querySelector("[data-chart]");
      if (chart && chart.data) window.Plotly.Plots.resize(chart);
    }
  }

  resize(id) {
    const chart = this.boxes.get(id)?.querySelector("[data-chart]");
    if (chart && chart.data) window.Plotly.Plots.resize(chart);
  }

  renderFreshness() {
    const now = Date.now();
    for (const [id, payload] of this.payloads) {
      const label = this.boxes.get(id)?.querySelector("[data-fresh]");
      if (!label) continue;
      if (payload.status !== "ok") { label.textContent = ""; continue; }
      label.textContent = `updated ${ago(payload.refreshed_at, now)}`;
      label.title = `Result of ${new Date(payload.refreshed_at).toLocaleString()} · ${payload.row_count} rows${payload.is_cached ? " · from cache" : ""}`;
      label.dataset.stale = this.refreshS > 0 && ageSeconds(payload.refreshed_at, now) > 2 * this.refreshS ? "1" : "";
    }
  }

  renderFilteredBadge(payload) {
    const badge = this.boxes.get(payload.id)?.querySelector("[data-filtered]");
    if (!badge) return;
    const applied = payload.filtered_by || [];
    badge.hidden = applied.length === 0;
    badge.textContent = applied.map((f) => `${f.column} = ${f.values.join(", ")}`).join("; ");
  }

  // -- filters, cross-filters, refresh ----------------------------------------------

  renderFilterBar() {
    const container = this.root.querySelector("[data-filters]");
    if (!container) return;
    const allowed = this.mode === "user" ? null : this.config.allowed_filter_values || {};
    renderFilters(container, this.config.filters, {
      values: this.filterValues,
      allowed,
      onChange: (name, value) => {
        this.filterValues[name] = value;
        this.updateUrl();
        this.load();
      },
    });
  }

  onChartClick(id, event) {
    const payload = this.payloads.get(id);
    const point = event.points?.[0];
    if (!payload?.click || !point) return;
    const field = payload.click.field;
    const value = field === "name" ? point.data.name : point[field];
    if (value === undefined || value === null || value === OTHER) return;
    const text = String(value);
    const existing = this.crossFilters.find((f) => f.widget === id);
    this.crossFilters = this.crossFilters.filter((f) => f.widget !== id);
    if (!(existing && existing.values.length === 1 && existing.values[0] === text)) {
      this.crossFilters.push({ widget: id, column: payload.click.column, values: [text] });
    }
    this.renderCrossFilters();
    this.updateUrl();
    this.load();
  }

  renderCrossFilters() {
    const container = this.root.querySelector("[data-cross-filters]");
    if (!container) return;
    container.replaceChildren();
    for (const filter of this.crossFilters) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip";
      chip.dataset.crossFilter = filter.column;
      chip.title = "Remove this cross-filter";
      chip.textContent = `${filter.column} = ${filter.values.join(", ")} ×`;
      chip.addEventListener("click", () => {
        this.crossFilters = this.crossFilters.filter((f) => f !== filter);
        this.renderCrossFilters();
        this.updateUrl();
        this.load();
      });
      container.append(chip);
    }
  }

  setupRefresh() {
    const select = this.root.querySelector("[data-auto-refresh]");
    if (select) {
      const choices = new Set([...this.config.refresh_choices_s, this.refreshS]);
      select.replaceChildren(...[...choices].sort((a, b) => a - b).map((s) => {
        const option = document.createElement("option");
        option.value = String(s);
        option.textContent = s === 0 ? "Auto-refresh off" : s < 60 ? `Every ${s} s` : s < 3600 ? `Every ${s / 60} min` : `Every ${s / 3600} h`;
        option.selected = s === this.refreshS;
        return option;
      }));
      select.addEventListener("change", () => {
        this.refreshS = Number(select.value);
        this.updateUrl();
        this.schedule();
      });
    }
    this.root.querySelector("[data-refresh-now]")?.addEventListener("click", () => this.load({ refresh: true }));
    this.schedule();
  }

  schedule() {
    clearInterval(this.timer);
    if (this.refreshS > 0) this.timer = setInterval(() => { if (!document.hidden) this.load(); }, this.refreshS * 1000);
  }

  updateUrl() {
    const params = new URLSearchParams(location.search);
    const current = this.query();
    for (const key of ["filters", "xf"]) {
      if (current.has(key)) params.set(key, current.get(key)); else params.delete(key);
    }
    if (this.refreshS !== this.config.refresh_interval_s) params.set("refresh_s", String(this.refreshS));
    else params.delete("refresh_s");
    history.replaceState(null, "", `${location.pathname}${params.size ? `?${params}` : ""}`);
    for (const link of this.root.querySelectorAll("[data-export]")) {
      const url = new URL(link.href, location.href);
      url.search = this.query().toString();
      link.href = url.toString();
    }
    for (const [id, box] of this.boxes) {
      const csv = box.querySelector("[data-csv]");
      if (csv) csv.href = `${this.config.urls.csv.replace(/0\.csv$/, `${id}.csv`)}?${this.query()}`;
    }
  }
}
