// Buttons that change a saved query through the API, on the editor, the list and the
// version history: fork, delete (with undo) and restoring a version. In the list, the row
// is then drawn again by the server (`/queries/<id>/row`).

import htmx from "htmx.org";
import { flash } from "./flash.js";
import { postJSON } from "./http.js";

const queryPage = (id) => `/queries/${id}/`;

async function fork(button) {
  const copy = await postJSON(`/api/queries/${button.dataset.query}/fork`);
  flash(`Forked into “${copy.name}”.`);
  location.assign(queryPage(copy.id));
}

async function trash(button, row) {
  await postJSON(`/api/queries/${button.dataset.query}/trash`);
  if (row) return redraw(row, button.dataset.query);
  location.assign(`/queries/?trashed=${button.dataset.query}`);
}

async function untrash(button, row) {
  const query = await postJSON(`/api/queries/${button.dataset.query}/untrash`);
  if (row) return redraw(row, query.id);
  flash(`Restored “${query.name}”.`);
  location.assign(queryPage(query.id));
}

async function restore(button) {
  const { query, version } = button.dataset;
  const restored = await postJSON(`/api/queries/${query}/versions/${version}/restore`);
  flash(`Restored version ${version} as version ${restored.version}.`);
  location.assign(queryPage(query));
}

function redraw(row, id) {
  return htmx.ajax("GET", `/queries/${id}/row`, { target: row, swap: "outerHTML" });
}

const ACTIONS = { fork, trash, untrash, restore };

export function installQueryActions() {
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-query-action]");
    if (!button) return;
    event.preventDefault();
    button.disabled = true;
    try {
      await ACTIONS[button.dataset.queryAction](button, button.closest("tr"));
    } catch (error) {
      alert(error.message);
    } finally {
      button.disabled = false;
    }
  });
}
