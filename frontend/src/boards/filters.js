// The filter bar: one input per dashboard filter, limited to the allowed values on a public
// link or an embed. Calls onChange(name, value) with JSON-ready values (null: the default).

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) node.append(child);
  return node;
}

function choicesOf(filter, allowed) {
  if (!allowed) return filter.options.map(String);
  const permitted = (allowed[filter.name] || []).flat().map(String);
  const fallback = filter.default === null || filter.default === undefined ? [] : [filter.default].flat().map(String);
  return [...new Set([...fallback, ...permitted])];
}

function enumInput(filter, current, choices, onChange) {
  const select = el("select", { name: filter.name, multiple: filter.is_multi, "data-filter": filter.name, "aria-label": filter.label });
  if (filter.is_multi) select.size = Math.min(4, Math.max(2, choices.length));
  const chosen = new Set([current].flat().filter((v) => v !== null && v !== undefined).map(String));
  for (const option of choices) select.append(el("option", { value: option, selected: chosen.has(option), text: option }));
  select.addEventListener("change", () => {
    const values = [...select.selectedOptions].map((o) => o.value);
    onChange(filter.name, filter.is_multi ? values : values[0] ?? null);
  });
  return select;
}

function rangeInput(filter, current, onChange) {
  const value = current || {};
  const start = el("input", { type: "date", value: value.start || "", "aria-label": `${filter.label} from` });
  const end = el("input", { type: "date", value: value.end || "", "aria-label": `${filter.label} to` });
  const changed = () => { if (start.value && end.value) onChange(filter.name, { start: start.value, end: end.value }); };
  start.addEventListener("change", changed);
  end.addEventListener("change", changed);
  return el("span", { class: "range", "data-filter": filter.name }, [start, " – ", end]);
}

const INPUT_TYPES = { text: "text", number: "number", date: "date", datetime: "datetime-local" };

function scalarInput(filter, current, onChange) {
  const input = el("input", {
    type: INPUT_TYPES[filter.type] || "text", name: filter.name, "data-filter": filter.name,
    value: current ?? "", "aria-label": filter.label, step: filter.type === "number" ? "any" : undefined,
  });
  input.addEventListener("change", () => {
    const raw = input.value;
    if (raw === "") onChange(filter.name, null);
    else onChange(filter.name, filter.type === "number" ? Number(raw) : raw);
  });
  return input;
}

export function renderFilters(container, filters, { values, allowed, onChange }) {
  container.replaceChildren();
  for (const filter of filters) {
    const current = values[filter.name] ?? filter.value ?? filter.default;
    let input;
    const isLocked = allowed && !(filter.name in allowed);
    if (filter.type === "enum" || (allowed && filter.name in allowed && filter.type !== "date_range")) {
      input = enumInput({ ...filter, options: filter.options }, current, choicesOf(filter, allowed), onChange);
    } else if (filter.type === "date_range") {
      input = rangeInput(filter, current, onChange);
    } else {
      input = scalarInput(filter, current, onChange);
    }
    if (isLocked) input.querySelectorAll?.("input,select").forEach((n) => { n.disabled = true; });
    if (isLocked && "disabled" in input) input.disabled = true;
    container.append(el("label", { class: "board-filter" }, [el("span", { text: filter.label }), input]));
  }
}
