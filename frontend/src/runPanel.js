// Run feedback and results: status with elapsed time, progress bar, cancel, error text, the
// grid, row count / duration / cache age, and the download links.

import { ResultGrid } from "./grid.js";
import { fill as url, getJSON, postJSON } from "./http.js";
import { formatAge, formatCount, formatDuration } from "./format.js";

const TERMINAL = new Set(["succeeded", "failed", "cancelled", "expired"]);

export class RunPanel {
  constructor(root, { urls, pageRows, onError }) {
    this.root = root;
    this.urls = urls;
    this.pageRows = pageRows;
    this.onError = onError;
    this.status = root.querySelector("[data-run-status]");
    this.elapsed = root.querySelector("[data-run-elapsed]");
    this.progress = root.querySelector("[data-run-progress]");
    this.cancelButton = root.querySelector("[data-run-cancel]");
    this.meta = root.querySelector("[data-result-meta]");
    this.errorBox = root.querySelector("[data-result-error]");
    this.gridRoot = root.querySelector("[data-result-grid]");
    this.downloads = root.querySelector("[data-downloads]");
    this.window = root.querySelector("[data-grid-window]");
    this.cancelButton.addEventListener("click", () => this.cancel());
    this.gridRoot.addEventListener("grid:window", (event) => {
      const { first, count, total } = event.detail;
      this.window.textContent = total ? `rows ${formatCount(first + 1)}–${formatCount(first + count)} of ${formatCount(total)}` : "";
    });
    this.gridRoot.addEventListener("grid:error", (event) => this.showError(event.detail.message));
  }

  // A run reopened from the history or a link: asked for, then followed.
  async reopen(id) {
    try {
      await this.follow(await this.fetchRun(id));
    } catch (error) {
      this.showError(`cannot reopen the run: ${error.message}`);
    }
  }

  fetchRun(id) {
    return getJSON(`${url(this.urls.run, { id })}?page_rows=${this.pageRows}`);
  }

  // Called when a run was submitted (or reopened); follows it to its end.
  async follow(run, { startedAt = performance.now(), base = 0 } = {}) {
    this.run = run;
    this.base = base;
    this.token = Symbol("run");
    const token = this.token;
    this.startedAt = startedAt;
    this.errorBox.hidden = true;
    this.setBusy(true);
    this.tick();
    let current = run;
    let delay = 60;
    while (!TERMINAL.has(current.status)) {
      this.showStatus(current);
      await sleep(delay);
      delay = Math.min(500, delay * 1.5);
      if (token !== this.token) return;
      try {
        current = await this.fetchRun(run.id);
      } catch (error) {
        this.showError(`lost track of the run: ${error.message}`);
        this.setBusy(false);
        return;
      }
    }
    if (token !== this.token) return;
    this.run = current;
    await this.finish(current);
  }

  async finish(run) {
    this.setBusy(false);
    this.showStatus(run);
    if (run.status === "succeeded") {
      const page = run.page || (await this.firstPage(run));
      this.showResult(run, page);
    } else if (run.status === "failed" || run.status === "expired") {
      this.showError(run.error ? run.error.message : "the run failed");
      if (run.error && run.error.position) this.onError(run.error.position, run.error.message, this.base);
    } else {
      this.meta.textContent = "";
    }
  }

  async firstPage(run) {
    return getJSON(`${url(this.urls.result, { id: run.id })}?offset=0&limit=${this.pageRows}`);
  }

  showResult(run, page) {
    const resultUrl = url(this.urls.result, { id: run.id });
    this.grid?.dispose();
    this.grid = new ResultGrid(this.gridRoot, {
      columns: page.columns,
      rowCount: page.row_count,
      initialRows: page.rows,
      fetchPage: async ({ offset, limit, orderBy }) => {
        const query = new URLSearchParams({ offset, limit, order_by: orderBy });
        return (await getJSON(`${resultUrl}?${query}`)).rows;
      },
    });
    const parts = [`${formatCount(page.row_count)} row${page.row_count === 1 ? "" : "s"}`];
    if (run.cached) {
      parts.push(`from cache${run.result_created_at ? `, computed ${formatAge(run.result_created_at)}` : ""}`);
    } else parts.push(formatDuration(run.duration_ms));
    this.meta.textContent = parts.join(" · ");
    this.meta.dataset.cached = run.cached ? "true" : "false";
    this.renderDownloads(run);
  }

  renderDownloads(run) {
    const links = ["csv", "xlsx", "parquet", "json"].map((format) => {
      const a = document.createElement("a");
      a.href = url(this.urls.download, { id: run.id, fmt: format });
      a.textContent = format === "xlsx" ? "Excel" : format.toUpperCase();
      a.dataset.format = format;
      a.setAttribute("download", "");
      return a;
    });
    const visualize = document.createElement("a");
    visualize.href = `${this.urls.visualize}?run=${encodeURIComponent(run.id)}`;
    visualize.textContent = "Visualize";
    visualize.className = "visualize";
    visualize.dataset.visualize = "";
    this.downloads.replaceChildren(
      document.createTextNode("Download "), ...links, document.createTextNode(" · "), visualize,
    );
    this.downloads.hidden = false;
  }

  showStatus(run) {
    this.status.textContent = run.status;
    this.status.dataset.status = run.status;
    const progress = typeof run.progress === "number" ? run.progress : null;
    this.progress.hidden = progress === null || TERMINAL.has(run.status);
    if (progress !== null) {
      this.progress.value = progress;
      this.progress.title = `${Math.round(progress * 100)} %`;
    }
  }

  showError(message) {
    this.errorBox.textContent = message;
    this.errorBox.hidden = false;
  }

  showLocalError(message) {
    this.status.textContent = "not run";
    this.status.dataset.status = "failed";
    this.showError(message);
  }

  setBusy(isBusy) {
    this.isBusy = isBusy;
    this.cancelButton.hidden = !isBusy;
    this.root.classList.toggle("busy", isBusy);
    if (isBusy) {
      this.meta.textContent = "";
      this.downloads.hidden = true;
    }
  }

  tick() {
    const update = () => {
      this.elapsed.textContent = `⏱ ${formatDuration(performance.now() - this.startedAt)}`;
      if (this.isBusy) this.elapsedFrame = setTimeout(update, 100);
    };
    clearTimeout(this.elapsedFrame);
    update();
  }

  async cancel() {
    if (!this.run) return;
    this.cancelButton.disabled = true;
    try {
      await postJSON(url(this.urls.cancel, { id: this.run.id }), {});
    } catch (error) {
      this.showError(`cancel failed: ${error.message}`);
    } finally {
      this.cancelButton.disabled = false;
    }
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
