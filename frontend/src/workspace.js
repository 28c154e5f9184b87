// The editor page: wires the SQL editor, schema browser, parameters, drafts, runs and saving.

import { DraftStore } from "./drafts.js";
import { createSqlEditor } from "./editor/sqlEditor.js";
import { fill, getJSON, postJSON, sendJSON } from "./http.js";
import { ParameterBar } from "./params.js";
import { RunPanel } from "./runPanel.js";
import { SchemaBrowser } from "./schemaBrowser.js";

export function mountWorkspace(root) {
  const state = JSON.parse(document.getElementById("workspace-state").textContent);
  const urls = state.urls;
  const search = new URLSearchParams(location.search);
  const datasourceSelect = root.querySelector("[data-datasource]");
  const saveState = root.querySelector("[data-save-state]");
  const drafts = new DraftStore({ user: state.user, key: state.draft_key, url: fill(urls.draft, { key: state.draft_key }) });
  const draft = drafts.newest(state.draft);
  const query = state.query;
  const initial = draft || { sql: query?.sql ?? state.run?.sql ?? "", datasource: query?.datasource ?? state.run?.datasource ?? state.datasource, parameters: query?.parameters ?? [] };
  let datasource = initial.datasource || state.datasource;
  if (![...datasourceSelect.options].some((o) => o.value === datasource)) datasource = datasourceSelect.value;
  datasourceSelect.value = datasource;
  const catalogs = new Map();

  const params = new ParameterBar(root.querySelector("[data-params]"), {
    specs: initial.parameters || [],
    queries: state.queries,
    loadOptions: (queryId) => loadOptions(queryId),
    onChange: () => changed(),
  });

  const runPanel = new RunPanel(root.querySelector("[data-run-panel]"), {
    urls,
    pageRows: state.first_page_rows,
    onError: (position, message, base) => editor.markError(position, message, base),
  });

  const editor = createSqlEditor(root.querySelector("[data-editor]"), {
    doc: initial.sql,
    dialect: dialectOf(datasource),
    catalog: { schemas: [] },
    functions: [],
    onChange: () => changed(),
    onRun: ({ fresh }) => run({ fresh }),
    onFormat: () => format(),
    onSave: () => save(),
  });

  const browser = new SchemaBrowser(root.querySelector("[data-schema]"), { onInsert: (text) => editor.insert(text) });

  function dialectOf(name) {
    return state.datasources.find((d) => d.name === name)?.dialect || "duckdb";
  }

  function snapshot() {
    return { sql: editor.getDoc(), datasource, parameters: params.declaredSpecs() };
  }

  function isDirty() {
    if (!query) return editor.getDoc().trim() !== "";
    return editor.getDoc() !== query.sql || datasource !== query.datasource
      || JSON.stringify(params.declaredSpecs()) !== JSON.stringify(query.parameters.filter((p) => params.names.includes(p.name)));
  }

  function changed() {
    params.sync(editor.getDoc());
    drafts.save(snapshot());
    saveState.textContent = isDirty() ? "unsaved changes (draft kept)" : "saved";
    saveState.dataset.dirty = String(isDirty());
  }

  async function loadCatalog(name, { refresh = false } = {}) {
    browser.showLoading(name);
    try {
      if (refresh || !catalogs.has(name)) {
        catalogs.set(name, getJSON(fill(urls.catalog, { name }) + (refresh ? "?refresh=1" : "")));
      }
      const catalog = await catalogs.get(name);
      if (name !== datasource) return;
      browser.render(catalog);
      editor.setSchema(dialectOf(name), catalog, catalog.functions);
    } catch (error) {
      catalogs.delete(name);
      browser.showError(`could not list ${name}: ${error.message}`);
    }
  }

  async function loadOptions(queryId) {
    let runId = "";
    for (let attempt = 0; attempt < 240; attempt++) {
      const answer = await getJSON(fill(urls.options, { id: queryId }) + (runId ? `?run=${runId}` : ""));
      if (answer.status === "ready") return answer.values;
      if (answer.status === "failed") throw new Error(answer.error);
      runId = answer.run;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error("the options query did not finish");
  }

  async function run({ fresh = false } = {}) {
    const startedAt = performance.now();
    const picked = editor.currentStatement();
    if (!picked.sql) return runPanel.showLocalError("nothing to run: the editor is empty");
    let values;
    try {
      values = params.values();
    } catch (error) {
      return runPanel.showLocalError(error.message);
    }
    editor.clearError();
    drafts.flush();
    const runBase = picked.from;
    runPanel.showStatus({ status: "submitting" });
    try {
      const submitted = await postJSON(urls.runs, {
        datasource, sql: picked.sql, parameters: values, query_id: query?.id ?? null,
        parameter_specs: params.declaredSpecs(), max_age_s: fresh ? 0 : state.result_ttl_s,
        page_rows: state.first_page_rows,
      });
      rememberInURL(submitted);
      await runPanel.follow(submitted, { startedAt, base: runBase });
    } catch (error) {
      const body = error.body;
      if (body && body.status === "failed") {
        await runPanel.follow(body, { startedAt, base: runBase });
      } else runPanel.showLocalError(error.message);
    }
  }

  function rememberInURL(run) {
    const next = new URLSearchParams(location.search);
    params.writeURL(next);
    if (!query) next.set("run", run.id);
    next.delete("autorun");
    history.replaceState(null, "", `${location.pathname}?${next}`);
  }

  async function format() {
    try {
      const answer = await postJSON(urls.format, { sql: editor.getDoc(), datasource });
      if (answer.sql !== editor.getDoc()) editor.setDoc(answer.sql);
      editor.clearError();
    } catch (error) {
      const body = error.body || {};
      if (body.position) editor.markError(body.position, error.message, 0);
      runPanel.showLocalError(`cannot format: ${error.message}`);
    }
  }

  const dialog = document.getElementById("save-dialog");
  const saveForm = dialog.querySelector("form");

  function save({ asNew = false } = {}) {
    if (query && query.can_edit && !asNew) return submitSave({ id: query.id, name: query.name, description: query.description, tags: query.tags });
    saveForm.elements.name.value = query && !asNew ? query.name : "";
    saveForm.elements.description.value = query?.description || "";
    saveForm.elements.tags.value = (query?.tags || []).join(", ");
    dialog.showModal();
  }

  saveForm.addEventListener("submit", (event) => {
    event.preventDefault();
    if (event.submitter && event.submitter.value === "cancel") return dialog.close();
    submitSave({
      id: query && query.can_edit ? query.id : null,
      name: saveForm.elements.name.value,
      description: saveForm.elements.description.value,
      tags: saveForm.elements.tags.value.split(",").map((t) => t.trim()).filter(Boolean),
    });
  });

  async function submitSave(meta) {
    const errorBox = dialog.querySelector("[data-save-error]");
    try {
      const { id, ...fields } = meta;
      const saved = id
        ? await sendJSON("PATCH", fill(urls.saved_query, { id }), { ...fields, ...snapshot() })
        : await postJSON(urls.queries, { ...fields, ...snapshot() });
      drafts.clear();
      dialog.close();
      if (!query || saved.id !== query.id) {
        location.href = fill(urls.query, { id: saved.id });
        return;
      }
      Object.assign(query, saved);
      saveState.textContent = `saved as version ${saved.version}`;
      saveState.dataset.dirty = "false";
      root.querySelector("[data-version]").textContent = `v${saved.version}`;
    } catch (error) {
      if (!dialog.open) {
        dialog.showModal();
      }
      errorBox.textContent = error.message;
      errorBox.hidden = false;
    }
  }

  // Opened from the history: the run's SQL replaces the text as one undoable change (Ctrl+Z
  // brings the draft back); the URL then names the run, so a reload keeps the text.
  function reopen(run) {
    if (run.sql !== editor.getDoc()) editor.setDoc(run.sql);
    if (run.datasource !== datasource && [...datasourceSelect.options].some((o) => o.value === run.datasource)) {
      datasource = run.datasource;
      datasourceSelect.value = datasource;
    }
    for (const [name, value] of Object.entries(run.parameters || {})) {
      if (typeof value === "object" && !Array.isArray(value)) {
        search.set(`p_${name}.start`, value.start);
        search.set(`p_${name}.end`, value.end);
      } else if (Array.isArray(value)) value.forEach((v) => search.append(`p_${name}`, v));
      else search.set(`p_${name}`, String(value));
    }
    const next = new URLSearchParams(search);
    next.delete("reopen");
    if (!query) next.set("run", run.id);
    history.replaceState(null, "", `${location.pathname}?${next}`);
  }

  datasourceSelect.addEventListener("change", () => {
    datasource = datasourceSelect.value;
    loadCatalog(datasource);
    changed();
  });
  root.querySelector("[data-run]").addEventListener("click", () => run());
  root.querySelector("[data-schema-refresh]").addEventListener("click", () => loadCatalog(datasource, { refresh: true }));
  root.querySelector("[data-run-fresh]").addEventListener("click", () => run({ fresh: true }));
  root.querySelector("[data-format]").addEventListener("click", () => format());
  root.querySelector("[data-save]").addEventListener("click", () => save());
  root.querySelector("[data-save-as]")?.addEventListener("click", () => save({ asNew: true }));

  if (search.has("reopen") && state.run) reopen(state.run);
  params.readURL(search);
  params.sync(editor.getDoc());
  saveState.textContent = isDirty() ? "unsaved changes (draft kept)" : query ? "saved" : "";
  loadCatalog(datasource);
  if (state.run) runPanel.reopen(state.run.id);
  else if (search.get("autorun") === "1" || (query && [...search.keys()].some((k) => k.startsWith("p_")))) run();
  editor.focus();
  window.dashwireEditor = editor; // for the browser tests and the benchmark
  window.dashwireReadyAt = performance.now();
}
