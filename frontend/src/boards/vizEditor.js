// The visualization editor: a form over the chart spec (plus the spec as JSON for every
// option), each change previewed by the server on the cached result, then saved.

import { fill, postJSON, sendJSON } from "../http.js";
import { h } from "./dialog.js";

const ENCODINGS = {
  table: [], counter: ["value", "target"], line: ["x", "y", "series"], area: ["x", "y", "series"],
  bar: ["x", "y", "series"], scatter: ["x", "y", "series", "size"], bubble: ["x", "y", "size", "series"],
  pie: ["x", "y"], histogram: ["x", "series"], box: ["x", "y"], heatmap: ["x", "y", "value"],
  pivot: ["rows", "columns", "value"], funnel: ["x", "y"], map_points: ["lat", "lon", "size", "value", "series"],
  choropleth: ["location", "value"],
};
const MULTI = new Set(["y", "rows", "columns"]);
const OPTIONS = {
  bar: ["bar_mode", "is_horizontal", "top_n", "number_format"], line: ["stacking", "has_trend_line", "number_format", "date_format"],
  area: ["stacking", "number_format", "date_format"], scatter: ["has_trend_line"], pie: ["hole", "top_n"],
  histogram: ["bins"], counter: ["has_delta", "number_format"], choropleth: ["location_mode", "scope", "colour_scale"],
  map_points: ["scope", "colour_scale"], heatmap: ["colour_scale"], table: ["page_size", "number_format"], funnel: ["top_n"],
};
const CHOICES = {
  bar_mode: ["grouped", "stacked", "percent"], stacking: ["none", "stacked", "percent"],
  location_mode: ["ISO-3", "country names", "USA-states", "geojson"],
  scope: ["world", "usa", "europe", "asia", "africa", "north america", "south america"],
};

function clone(value) { return JSON.parse(JSON.stringify(value)); }

export class VizEditor {
  constructor(root) {
    this.root = root;
    this.config = JSON.parse(root.querySelector("#viz-config").textContent);
    this.source = this.config.source;
    this.spec = this.config.visualization ? clone(this.config.visualization.spec) : null;
    this.columns = [];
    this.form = root.querySelector("[data-viz-form]");
    this.chart = root.querySelector("[data-viz-chart]");
    this.status = root.querySelector("[data-viz-status]");
    this.json = root.querySelector("[data-viz-json]");
    this.timer = null;
    this.sequence = 0;
  }

  start() {
    this.json.addEventListener("change", () => {
      try { this.spec = JSON.parse(this.json.value); this.renderForm(); this.preview(); }
      catch (error) { this.showError(`The JSON does not parse: ${error.message}`); }
    });
    this.root.querySelector("[data-viz-save]").addEventListener("submit", (event) => { event.preventDefault(); this.save(event.target); });
    this.preview();
  }

  async preview() {
    const sequence = ++this.sequence;
    this.status.textContent = "Drawing…";
    this.status.className = "viz-status";
    let answer;
    try {
      answer = await postJSON(this.config.urls.preview, { source: this.source, spec: this.spec });
    } catch (error) {
      if (sequence === this.sequence) this.showError(error.message, error.body?.field);
      return;
    }
    if (sequence !== this.sequence) return;
    if (answer.status === "running") {
      this.status.textContent = "Running the query…";
      setTimeout(() => this.preview(), 500);
      return;
    }
    this.columns = answer.columns;
    if (this.spec === null) { this.spec = answer.spec; }
    this.renderForm();
    this.status.textContent = `${answer.row_count.toLocaleString()} rows · result of ${new Date(answer.refreshed_at).toLocaleString()}`;
    const { data, layout } = answer.figure;
    await window.Plotly.react(this.chart, data, { ...layout, autosize: true, margin: { l: 48, r: 16, t: 16, b: 40 } }, this.config.plotly);
    this.root.dataset.previewed = String(sequence);
  }

  showError(message, field) {
    this.status.textContent = field ? `${field}: ${message}` : message;
    this.status.className = "viz-status is-error";
    this.form.querySelectorAll(".has-error").forEach((n) => n.classList.remove("has-error"));
    if (field) this.form.querySelector(`[data-field="${field.replace(/\[\d+\]$/, "")}"]`)?.classList.add("has-error");
  }

  changed() {
    this.json.value = JSON.stringify(this.spec, null, 2);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.preview(), 250);
  }

  columnSelect(field, current, multiple) {
    const select = h("select", { name: field, multiple, "data-encoding": field, size: multiple ? Math.min(6, Math.max(3, this.columns.length)) : undefined },
      [multiple ? null : h("option", { value: "", text: "—" }),
        ...this.columns.map((c) => h("option", { value: c.name, selected: multiple ? (current || []).includes(c.name) : current === c.name, text: `${c.name} (${c.type})` }))]);
    select.addEventListener("change", () => {
      const encodings = this.spec.encodings || (this.spec.encodings = {});
      if (multiple) encodings[field] = [...select.selectedOptions].map((o) => o.value);
      else if (select.value) encodings[field] = select.value;
      else delete encodings[field];
      this.changed();
    });
    return select;
  }

  optionInput(name) {
    const options = this.spec.options || {};
    const set = (value) => {
      this.spec.options = { ...(this.spec.options || {}) };
      if (value === "" || value === null || Number.isNaN(value)) delete this.spec.options[name]; else this.spec.options[name] = value;
      this.changed();
    };
    if (name === "location_mode") {
      const select = h("select", { name }, CHOICES.location_mode.map((c) => h("option", { value: c, selected: (this.spec.encodings?.location_mode || "ISO-3") === c, text: c })));
      select.addEventListener("change", () => { this.spec.encodings = { ...this.spec.encodings, location_mode: select.value }; this.changed(); });
      return select;
    }
    if (CHOICES[name]) {
      const select = h("select", { name }, CHOICES[name].map((c) => h("option", { value: c, selected: (options[name] ?? CHOICES[name][0]) === c, text: c })));
      select.addEventListener("change", () => set(select.value));
      return select;
    }
    if (name.startsWith("is_") || name.startsWith("has_")) {
      const box = h("input", { type: "checkbox", name, checked: !!options[name] });
      box.addEventListener("change", () => set(box.checked));
      return box;
    }
    const numeric = ["top_n", "bins", "page_size", "hole"].includes(name);
    const input = h("input", { name, value: options[name] ?? "", type: numeric ? "number" : "text", step: name === "hole" ? "0.05" : undefined, placeholder: name.endsWith("format") ? (name === "date_format" ? "%Y-%m-%d" : ",.2f") : "" });
    input.addEventListener("change", () => set(numeric ? (input.value === "" ? "" : Number(input.value)) : input.value));
    return input;
  }

  renderForm() {
    const spec = this.spec;
    const type = h("select", { name: "type", "data-chart-type": "" }, this.config.chart_types.map((t) => h("option", { value: t, selected: spec.type === t, text: t.replace("_", " ") })));
    type.addEventListener("change", () => { spec.type = type.value; this.renderForm(); this.changed(); });
    const aggregation = h("select", { name: "aggregation" }, this.config.aggregations.map((a) => h("option", { value: a, selected: (spec.aggregation || "none") === a, text: a.replace("_", " ") })));
    aggregation.addEventListener("change", () => { spec.aggregation = aggregation.value; this.changed(); });
    const rows = [h("label", { class: "form-row", "data-field": "type" }, [h("span", { text: "Chart" }), type])];
    for (const field of ENCODINGS[spec.type] || []) {
      rows.push(h("label", { class: "form-row", "data-field": `encodings.${field}` }, [h("span", { text: field }), this.columnSelect(field, spec.encodings?.[field], MULTI.has(field))]));
    }
    if (!["table", "bubble", "map_points"].includes(spec.type)) {
      rows.push(h("label", { class: "form-row", "data-field": "aggregation" }, [h("span", { text: "aggregation" }), aggregation]));
    }
    for (const name of OPTIONS[spec.type] || []) {
      rows.push(h("label", { class: "form-row", "data-field": `options.${name}` }, [h("span", { text: name.replaceAll("_", " ") }), this.optionInput(name)]));
    }
    if (["line", "area", "bar", "scatter", "bubble"].includes(spec.type)) {
      for (const axis of ["x_axis", "y_axis"]) {
        const current = spec.options?.[axis] || {};
        const title = h("input", { value: current.title ?? "", placeholder: "title" });
        const scale = h("select", {}, ["", "linear", "log", "date"].map((s) => h("option", { value: s, selected: (current.scale || "") === s, text: s || "auto" })));
        const update = () => {
          const next = {};
          if (title.value) next.title = title.value;
          if (scale.value) next.scale = scale.value;
          this.spec.options = { ...(this.spec.options || {}), [axis]: next };
          this.changed();
        };
        title.addEventListener("change", update);
        scale.addEventListener("change", update);
        rows.push(h("label", { class: "form-row", "data-field": `options.${axis}` }, [h("span", { text: axis.replace("_", " ") }), h("span", { class: "pair" }, [title, scale])]));
      }
    }
    this.form.replaceChildren(...rows);
    this.json.value = JSON.stringify(spec, null, 2);
  }

  async save(form) {
    const message = form.querySelector("[data-save-status]");
    message.textContent = "Saving…";
    const viz = this.config.visualization;
    const urls = this.config.urls;
    const fields = { name: form.elements.name.value, description: form.elements.description.value, spec: this.spec };
    const dashboard = form.elements.dashboard.value ? Number(form.elements.dashboard.value) : null;
    try {
      const saved = viz
        ? await sendJSON("PATCH", fill(urls.visualization_api, { id: viz.id }), fields)
        : await postJSON(urls.visualizations, {
          ...fields,
          query_id: this.source.query ?? null,
          run_id: this.source.run ?? null,
          query_name: form.elements.query_name ? form.elements.query_name.value : "",
        });
      if (dashboard !== null) {
        await postJSON(fill(urls.widgets, { id: dashboard }), { visualization_id: saved.id });
        location.assign(`${fill(urls.dashboard, { id: dashboard })}?edit=1`);
        return;
      }
      if (!viz) { location.assign(fill(urls.visualization, { id: saved.id })); return; }
      message.textContent = "Saved.";
    } catch (error) {
      message.textContent = error.message;
    }
  }
}
