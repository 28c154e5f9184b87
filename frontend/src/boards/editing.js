// Editing a dashboard in place: move and resize on the grid (saved as you go), add and
// remove widgets, bind their parameters to filters, edit text, settings and filters.

import { fill, postJSON, sendJSON as send } from "../http.js";
import { h, openDialog } from "./dialog.js";

function reloadEditing() {
  const url = new URL(location.href);
  url.searchParams.set("edit", "1");
  location.assign(url.toString());
}

function widgetUrl(board, id) {
  return fill(board.config.urls.widget, { id });
}

function textDialog(board, { id, text = "" }) {
  openDialog({
    title: id ? "Edit text" : "Add text",
    name: "text",
    build: (body) => body.append(h("textarea", { name: "text", rows: 10, class: "wide", placeholder: "Markdown: # Title, **bold**, [link](https://…), tables" }, text)),
    submit: async (form) => {
      const value = form.elements.text.value;
      if (id) await send("PATCH", widgetUrl(board, id), { text: value });
      else await postJSON(board.config.urls.widgets, { text: value });
      reloadEditing();
    },
  });
}

function bindingsDialog(board, id) {
  const widget = board.config.widgets[String(id)];
  const filters = board.config.filters;
  openDialog({
    title: `Parameters of ${widget.title}`,
    name: "bindings",
    build: (body) => {
      if (!widget.parameters.length) body.append(h("p", { class: "muted", text: "This chart's query has no parameters." }));
      for (const parameter of widget.parameters) {
        const binding = widget.bindings[parameter] || {};
        const select = h("select", { name: `bind-${parameter}` }, [
          h("option", { value: "", text: "the query's default" }),
          ...filters.map((f) => h("option", { value: `filter:${f.name}`, selected: binding.filter === f.name, text: `filter ${f.label}` })),
          h("option", { value: "value", selected: "value" in binding, text: "a fixed value" }),
        ]);
        const fixed = h("input", { name: `value-${parameter}`, value: "value" in binding ? JSON.stringify(binding.value) : "", placeholder: 'JSON, e.g. 2007 or "Asia"' });
        body.append(h("label", { class: "form-row" }, [h("span", { text: parameter }), select, fixed]));
      }
    },
    submit: async (form) => {
      const bindings = {};
      for (const parameter of widget.parameters) {
        const choice = form.elements[`bind-${parameter}`].value;
        if (choice.startsWith("filter:")) bindings[parameter] = { filter: choice.slice(7) };
        else if (choice === "value") bindings[parameter] = { value: JSON.parse(form.elements[`value-${parameter}`].value) };
      }
      await send("PATCH", widgetUrl(board, id), { parameter_bindings: bindings });
      reloadEditing();
    },
  });
}

const FILTER_TYPES = ["enum", "text", "number", "date", "datetime", "date_range"];

function filterRow(filter = {}) {
  return h("fieldset", { class: "filter-row", "data-filter-row": "" }, [
    h("input", { name: "name", value: filter.name || "", placeholder: "name (as the parameter)", required: true, pattern: "[A-Za-z_]\\w*" }),
    h("input", { name: "label", value: filter.label && filter.label !== filter.name ? filter.label : "", placeholder: "label" }),
    h("select", { name: "type" }, FILTER_TYPES.map((t) => h("option", { value: t, selected: (filter.type || "enum") === t, text: t }))),
    h("input", { name: "options", value: (filter.options || []).join(", "), placeholder: "options, comma-separated" }),
    h("label", {}, [h("input", { type: "checkbox", name: "is_multi", checked: !!filter.is_multi }), " several"]),
    h("input", { name: "default", value: filter.default === null || filter.default === undefined ? "" : JSON.stringify(filter.default), placeholder: 'default (JSON)' }),
    h("button", { type: "button", class: "danger", text: "×", title: "Remove filter", onclick: (e) => e.target.closest("fieldset").remove() }),
  ]);
}

function settingsDialog(board) {
  const settings = board.config.settings;
  openDialog({
    title: "Dashboard settings",
    name: "settings",
    build: (body) => {
      const rows = h("div", { class: "filter-rows" }, board.config.filters.map(filterRow));
      body.append(
        h("label", { class: "form-row" }, [h("span", { text: "Name" }), h("input", { name: "name", value: settings.name, required: true })]),
        h("label", { class: "form-row" }, [h("span", { text: "Description" }), h("textarea", { name: "description", rows: 2 }, settings.description)]),
        h("label", { class: "form-row" }, [h("span", { text: "Auto-refresh viewers start with (s, 0 = off)" }), h("input", { name: "refresh_interval_s", type: "number", min: 0, value: settings.refresh_interval_s })]),
        h("label", { class: "form-row" }, [h("span", { text: "Cached results are good for (s)" }), h("input", { name: "max_age_s", type: "number", min: 0, value: settings.max_age_s })]),
        h("h3", { text: "Filters" }),
        h("p", { class: "muted", text: "A filter feeds the query parameters bound to it (a parameter of the same name is bound when a chart is added)." }),
        rows,
        h("button", { type: "button", text: "Add filter", onclick: () => rows.append(filterRow()) }),
      );
    },
    submit: async (form, body) => {
      const filters = [...body.querySelectorAll("[data-filter-row]")].map((row) => {
        const get = (n) => row.querySelector(`[name="${n}"]`);
        const type = get("type").value;
        const options = get("options").value.split(",").map((o) => o.trim()).filter((o) => o !== "");
        const rawDefault = get("default").value.trim();
        let value = null;
        if (rawDefault) { try { value = JSON.parse(rawDefault); } catch { value = rawDefault; } }
        return { name: get("name").value.trim(), label: get("label").value.trim(), type, options, is_multi: get("is_multi").checked, default: value };
      });
      await send("PATCH", board.config.urls.dashboard, {
        name: form.elements.name.value,
        description: form.elements.description.value,
        refresh_interval_s: Number(form.elements.refresh_interval_s.value),
        max_age_s: Number(form.elements.max_age_s.value),
        filters,
      });
      reloadEditing();
    },
  });
}

export function mountEditing(board, grid, { startEditing }) {
  const root = board.root;
  const toggle = root.querySelector("[data-edit-toggle]");
  let editing = startEditing;
  const apply = () => {
    grid.setStatic(!editing);
    root.classList.toggle("is-editing", editing);
    if (toggle) toggle.textContent = editing ? "Done editing" : "Edit";
  };
  toggle?.addEventListener("click", () => { editing = !editing; apply(); });
  apply();

  grid.on("change", async (_event, items) => {
    if (!editing) return;
    const widgets = items.map((i) => ({ id: Number(i.id), x: i.x, y: i.y, width: i.w, height: i.h }));
    root.dataset.layoutSaving = "1";
    try {
      await send("PUT", board.config.urls.layout, { widgets });
      root.dataset.layoutSaved = String(Date.now());
    } catch (error) {
      alert(`The layout was not saved: ${error.message}`);
    } finally {
      delete root.dataset.layoutSaving;
    }
  });
  grid.on("resizestop", (_event, element) => board.resize(Number(element.getAttribute("gs-id"))));

  root.querySelector("[data-add-widget]")?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const id = Number(event.target.elements.visualization.value);
    if (!id) return;
    await postJSON(board.config.urls.widgets, { visualization_id: id });
    reloadEditing();
  });
  root.querySelector("[data-add-text]")?.addEventListener("click", () => textDialog(board, {}));
  root.querySelector("[data-settings]")?.addEventListener("click", () => settingsDialog(board));
  root.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-widget-action]");
    if (!button) return;
    const item = button.closest(".grid-stack-item");
    const id = Number(item.getAttribute("gs-id"));
    const action = button.dataset.widgetAction;
    if (action === "remove") {
      if (!confirm("Remove this widget from the dashboard?")) return;
      await send("DELETE", widgetUrl(board, id));
      grid.removeWidget(item);
      board.boxes.delete(id);
    } else if (action === "text") {
      textDialog(board, { id, text: board.config.widgets[String(id)].text });
    } else if (action === "bindings") {
      bindingsDialog(board, id);
    }
  });
}
