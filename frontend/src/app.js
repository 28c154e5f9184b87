// The one bundle every page loads: htmx for server-rendered partials, plus the islands.

import htmx from "htmx.org";
import { installDatasourceTest } from "./datasourceTest.js";
import { showFlash } from "./flash.js";
import { installQueryActions } from "./queryActions.js";
import { installShortcuts } from "./shortcuts.js";
import { applyTheme } from "./theme.js";
import { mountWorkspace } from "./workspace.js";

window.htmx = htmx;
applyTheme();

function start() {
  installShortcuts();
  showFlash();
  installQueryActions();
  installDatasourceTest();
  document.body.addEventListener("htmx:configRequest", (event) => {
    event.detail.headers["X-CSRFToken"] = document.querySelector('meta[name="csrf-token"]').content;
  });
  const workspace = document.querySelector("[data-workspace]");
  if (workspace) mountWorkspace(workspace);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
