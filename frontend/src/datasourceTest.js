// "Test connection" on the new data source form: the API tries the settings unsaved and
// says how many tables it sees, or the engine's own reason for failing.

import { postJSON } from "./http.js";

function show(box, isConnected, lines) {
  const node = document.createElement(isConnected ? "p" : "div");
  if (isConnected) {
    node.className = "status";
    node.dataset.status = "succeeded";
    node.dataset.testOk = "";
    node.textContent = lines[0];
  } else {
    node.className = "result-error";
    node.dataset.testFailed = "";
    node.append(...lines.map((line) => Object.assign(document.createElement("div"), { textContent: line })));
  }
  box.replaceChildren(node);
}

export function installDatasourceTest() {
  const button = document.querySelector("[data-test-connection]");
  if (!button) return;
  const form = button.form;
  const box = document.getElementById("test-result");
  button.addEventListener("click", async () => {
    const fields = Object.fromEntries(new FormData(form));
    try {
      const answer = await postJSON("/api/datasources/test", { engine: fields.engine, path: fields.path, dsn: fields.dsn });
      if (answer.is_connected) {
        const n = answer.table_count;
        show(box, true, [`Connected: ${n} table${n === 1 ? "" : "s"} visible.`]);
      } else show(box, false, [answer.problem]);
    } catch (error) {
      show(box, false, [error.message]);
    }
  });
}
