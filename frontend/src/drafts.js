// Draft autosave: every edit goes to localStorage at once and to the server shortly after, so
// unsaved text survives a reload, a crash and a second tab. The newer copy wins on load.

import { sendJSON } from "./http.js";

const SERVER_DELAY_MS = 500;

export class DraftStore {
  constructor({ user, key, url }) {
    this.storageKey = `dashwire:draft:${user}:${key}`;
    this.key = key;
    this.url = url;
    this.pending = null;
    this.timer = null;
    window.addEventListener("pagehide", () => this.flush({ keepalive: true }));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.flush({ keepalive: true });
    });
  }

  local() {
    try {
      return JSON.parse(localStorage.getItem(this.storageKey) || "null");
    } catch {
      return null;
    }
  }

  // The newest of the local and the server draft, as {sql, datasource, parameters, saved_at}.
  newest(serverDraft) {
    const local = this.local();
    const server = serverDraft ? { ...serverDraft, saved_at: Date.parse(serverDraft.updated_at) } : null;
    if (!local) return server;
    if (!server) return local;
    return local.saved_at >= server.saved_at ? local : server;
  }

  save(draft) {
    const stamped = { ...draft, saved_at: Date.now() };
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(stamped));
    } catch {
      // a full or disabled localStorage leaves the server copy, which is enough
    }
    this.pending = stamped;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), SERVER_DELAY_MS);
  }

  async flush({ keepalive = false } = {}) {
    clearTimeout(this.timer);
    if (!this.pending) return;
    const draft = this.pending;
    this.pending = null;
    try {
      const { sql, datasource, parameters } = draft;
      await sendJSON("PUT", this.url, { sql, datasource: datasource || "", parameters: parameters || [] }, { keepalive });
    } catch {
      this.pending = this.pending || draft; // retried with the next edit
    }
  }

  clear() {
    clearTimeout(this.timer);
    this.pending = null;
    localStorage.removeItem(this.storageKey);
  }
}
