// Parameter widgets: every `{{ name }}` in the SQL gets a widget above the editor. Values live
// in the URL (p_name=…, p_range.start=…, repeated p_name for multi-select) so a link
// reproduces the run. Specs use the server's saved format; a dropdown filled by another saved
// query is a text parameter with `source_query_id`.

const MARKER = /\{\{\s*([A-Za-z_]\w*)(?:\.(?:start|end))?\s*\}\}/g;
const TYPES = [
  ["text", "Text"], ["number", "Number"], ["date", "Date"], ["date_range", "Date range"],
  ["enum", "Dropdown (list)"], ["query", "Dropdown (query)"],
];

export function findParameters(sql) {
  return [...new Set([...sql.matchAll(MARKER)].map((m) => m[1]))];
}

function uiType(spec) {
  return spec.type === "text" && "source_query_id" in spec ? "query" : spec.type;
}

function specFor(name, type, previous = {}) {
  const spec = { name, type: type === "query" ? "text" : type, options: [], is_multi: false, default: null };
  if (type === "enum") { spec.options = previous.options || []; spec.is_multi = !!previous.is_multi; }
  if (type === "query") spec.source_query_id = previous.source_query_id ?? null;
  return spec;
}

export class ParameterBar {
  constructor(root, { specs, queries, loadOptions, onChange }) {
    this.root = root;
    this.queries = queries;
    this.loadOptions = loadOptions;
    this.onChange = onChange;
    this.specs = new Map((specs || []).map((s) => [s.name, s]));
    this.valuesByName = new Map();
    this.optionCache = new Map();
    this.names = [];
  }

  // Show one widget per parameter the SQL uses, keeping values and specs of known names.
  sync(sql) {
    const names = findParameters(sql);
    if (names.join("\n") === this.names.join("\n")) return;
    this.names = names;
    for (const name of names) if (!this.specs.has(name)) this.specs.set(name, specFor(name, "text"));
    this.render();
  }

  declaredSpecs() {
    return this.names.map((name) => this.specs.get(name));
  }

  render() {
    this.root.replaceChildren(...this.names.map((name) => this.widget(name)));
    this.root.hidden = this.names.length === 0;
  }

  widget(name) {
    const spec = this.specs.get(name);
    const type = uiType(spec);
    const box = document.createElement("div");
    box.className = "param";
    box.dataset.param = name;
    const label = document.createElement("label");
    label.className = "param-name";
    label.textContent = name;
    const typeSelect = document.createElement("select");
    typeSelect.className = "param-type";
    typeSelect.title = `type of parameter ${name}`;
    typeSelect.setAttribute("aria-label", `type of ${name}`);
    for (const [value, text] of TYPES) typeSelect.add(new Option(text, value, false, value === type));
    typeSelect.addEventListener("change", () => {
      this.specs.set(name, specFor(name, typeSelect.value, spec));
      this.valuesByName.delete(name);
      this.render();
      this.onChange();
    });
    box.append(label, this.input(name, spec, type), typeSelect);
    if (type === "enum") box.append(this.enumOptionsEditor(name, spec));
    if (type === "query") box.append(this.querySelector(name, spec));
    return box;
  }

  input(name, spec, type) {
    const value = this.valuesByName.get(name);
    const set = (v) => { this.valuesByName.set(name, v); this.onChange(); };
    if (type === "date_range") {
      const wrap = document.createElement("span");
      wrap.className = "param-range";
      const start = dateInput(`${name} start`, value?.start);
      const end = dateInput(`${name} end`, value?.end);
      const update = () => set({ start: start.value, end: end.value });
      start.addEventListener("change", update);
      end.addEventListener("change", update);
      wrap.append(start, document.createTextNode("–"), end);
      return wrap;
    }
    if (type === "enum" || type === "query") {
      const select = document.createElement("select");
      select.className = "param-value";
      select.name = `p_${name}`;
      select.setAttribute("aria-label", name);
      select.multiple = !!spec.is_multi;
      const fill = (options) => {
        select.replaceChildren();
        if (!spec.is_multi) select.add(new Option("—", ""));
        const chosen = Array.isArray(value) ? value : [value];
        for (const option of options) select.add(new Option(option, option, false, chosen.includes(option)));
      };
      if (type === "enum") fill(spec.options || []);
      else if (spec.source_query_id) {
        fill([]);
        this.options(spec.source_query_id).then(fill, (error) => { select.title = error.message; });
      }
      select.addEventListener("change", () => {
        set(spec.is_multi ? [...select.selectedOptions].map((o) => o.value) : select.value);
      });
      return select;
    }
    const input = document.createElement("input");
    input.className = "param-value";
    input.name = `p_${name}`;
    input.setAttribute("aria-label", name);
    input.type = type === "number" ? "number" : type === "date" ? "date" : "text";
    if (type === "number") input.step = "any";
    input.value = value ?? "";
    input.addEventListener("input", () => set(input.value));
    return input;
  }

  enumOptionsEditor(name, spec) {
    const wrap = document.createElement("span");
    wrap.className = "param-options";
    const options = document.createElement("input");
    options.className = "param-options-list";
    options.placeholder = "a, b, c";
    options.title = "the dropdown's values, comma separated";
    options.setAttribute("aria-label", `options of ${name}`);
    options.value = (spec.options || []).join(", ");
    options.addEventListener("change", () => {
      spec.options = options.value.split(",").map((s) => s.trim()).filter(Boolean);
      this.render();
      this.onChange();
    });
    const multi = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = !!spec.is_multi;
    box.addEventListener("change", () => { spec.is_multi = box.checked; this.valuesByName.delete(name); this.render(); this.onChange(); });
    multi.append(box, " multi");
    wrap.append(options, multi);
    return wrap;
  }

  querySelector(name, spec) {
    const select = document.createElement("select");
    select.className = "param-source";
    select.setAttribute("aria-label", `query filling ${name}`);
    select.add(new Option("choose a saved query…", ""));
    for (const q of this.queries) select.add(new Option(q.name, String(q.id), false, q.id === spec.source_query_id));
    select.addEventListener("change", () => {
      spec.source_query_id = select.value ? Number(select.value) : null;
      this.render();
      this.onChange();
    });
    return select;
  }

  options(queryId) {
    if (!this.optionCache.has(queryId)) this.optionCache.set(queryId, this.loadOptions(queryId));
    return this.optionCache.get(queryId);
  }

  // {name: json value} for the run, or throws naming the first parameter without a value.
  values() {
    const out = {};
    for (const name of this.names) {
      const spec = this.specs.get(name);
      const value = this.valuesByName.get(name);
      const type = uiType(spec);
      const isEmpty = value === undefined || value === "" || (Array.isArray(value) && !value.length)
        || (type === "date_range" && (!value.start || !value.end));
      if (isEmpty) {
        if (spec.default !== null && spec.default !== undefined) continue;
        throw new Error(`parameter ${name} needs a value`);
      }
      out[name] = type === "number" ? Number(value) : value;
    }
    return out;
  }

  readURL(search) {
    for (const [key, raw] of search.entries()) {
      if (!key.startsWith("p_")) continue;
      const [name, part] = key.slice(2).split(".");
      if (part) this.valuesByName.set(name, { ...(this.valuesByName.get(name) || {}), [part]: raw });
      else if (this.specs.get(name)?.is_multi) this.valuesByName.set(name, search.getAll(key));
      else this.valuesByName.set(name, raw);
    }
  }

  writeURL(search) {
    for (const key of [...search.keys()]) if (key.startsWith("p_")) search.delete(key);
    for (const name of this.names) {
      const value = this.valuesByName.get(name);
      if (value === undefined || value === "") continue;
      if (Array.isArray(value)) value.forEach((v) => search.append(`p_${name}`, v));
      else if (typeof value === "object") {
        search.set(`p_${name}.start`, value.start || "");
        search.set(`p_${name}.end`, value.end || "");
      } else search.set(`p_${name}`, String(value));
    }
  }
}

function dateInput(label, value) {
  const input = document.createElement("input");
  input.type = "date";
  input.className = "param-value";
  input.setAttribute("aria-label", label);
  input.value = value || "";
  return input;
}
