// The share dialog: users and groups (view/edit), public links (shown once, revocable,
// with the filter values a viewer may pick), and signed embed URLs.

import { getJSON, postJSON, sendJSON } from "../http.js";
import { h, openDialog } from "./dialog.js";

function allowedPicker(filters) {
  return h("div", { class: "allowed" }, filters.map((filter) => {
    const input = filter.type === "enum"
      ? h("select", { multiple: true, "data-allowed": filter.name, size: Math.min(5, filter.options.length) },
        filter.options.map((o) => h("option", { value: String(o), text: String(o) })))
      : h("input", { "data-allowed": filter.name, placeholder: "values, comma-separated (empty: only the default)" });
    return h("label", { class: "form-row" }, [h("span", { text: `Viewers may pick for ${filter.label}` }), input]);
  }));
}

function readAllowed(container) {
  const allowed = {};
  for (const input of container.querySelectorAll("[data-allowed]")) {
    const values = input.tagName === "SELECT"
      ? [...input.selectedOptions].map((o) => o.value)
      : input.value.split(",").map((v) => v.trim()).filter(Boolean);
    if (values.length) allowed[input.dataset.allowed] = values;
  }
  return allowed;
}

function renderState(board, body, state, shown = {}) {
  const url = board.config.urls.share;
  const refresh = async (answer) => renderState(board, body, await answer, {});
  const rows = state.shares.map((share) => h("li", {}, [
    `${share.user ? share.user : `group ${share.group}`} · ${share.permission} `,
    h("button", { type: "button", class: "danger", text: "Remove", onclick: () => refresh(sendJSON("DELETE", `${url}/grants/${share.id}`)) }),
  ]));
  const who = h("input", { name: "who", placeholder: "user name, or group:name" });
  const permission = h("select", { name: "permission" }, [h("option", { value: "view", text: "can view" }), h("option", { value: "edit", text: "can edit" })]);
  const links = state.links.map((link) => h("li", { "data-link": link.id }, [
    `${link.hint}… · created ${new Date(link.created_at).toLocaleString()}`,
    link.revoked_at ? h("span", { class: "muted", text: " · revoked" }) : h("button", { type: "button", class: "danger", "data-revoke-link": link.id, text: "Revoke", onclick: () => refresh(sendJSON("DELETE", `${url}/links/${link.id}`)) }),
  ]));
  const allowed = allowedPicker(board.config.filters);
  const ttl = h("select", { name: "ttl" }, [["1 hour", 3600], ["1 day", 86400], ["30 days", 2592000], ["1 year", 31536000]].map(([label, seconds]) => h("option", { value: seconds, text: label })));
  body.replaceChildren(
    h("h3", { text: "People and groups" }),
    h("ul", { class: "share-list" }, rows.length ? rows : [h("li", { class: "muted", text: "Only you (and administrators)." })]),
    h("div", { class: "toolbar" }, [who, permission, h("button", { type: "button", text: "Share", onclick: async () => {
      const value = who.value.trim();
      if (!value) return;
      const target = value.startsWith("group:") ? { group: value.slice(6) } : { username: value };
      await refresh(postJSON(`${url}/grants`, { permission: permission.value, ...target }));
    } })]),
    h("h3", { text: "Public links" }),
    h("p", { class: "muted", text: "Anyone with the link sees this dashboard read-only, without logging in. The link is shown only once." }),
    shown.public ? h("p", { class: "shown-url" }, [h("input", { readonly: true, value: shown.public, "data-public-url": "", class: "wide" })]) : null,
    h("ul", { class: "share-list" }, links),
    allowed,
    h("button", { type: "button", "data-publish": "", text: "Create public link", onclick: async () => {
      const answer = await postJSON(`${url}/links`, { allowed_filter_values: readAllowed(allowed) });
      renderState(board, body, answer, { public: answer.url });
    } }),
    h("h3", { text: "Embed" }),
    h("p", { class: "muted", text: "A signed URL for an iframe; it expires, and you can revoke every embed at once." }),
    shown.embed ? h("p", { class: "shown-url" }, [h("input", { readonly: true, value: shown.embed, "data-embed-url": "", class: "wide" })]) : null,
    h("div", { class: "toolbar" }, [ttl,
      h("button", { type: "button", "data-embed": "", text: "Create embed URL", onclick: async () => {
        const answer = await postJSON(`${url}/embeds`, { ttl_s: Number(ttl.value), filter_values: board.filterValues, allowed_filter_values: readAllowed(allowed) });
        renderState(board, body, answer, { embed: answer.url });
      } }),
      h("button", { type: "button", class: "danger", text: "Revoke all embeds", onclick: () => refresh(sendJSON("DELETE", `${url}/embeds`)) }),
    ]),
  );
}

export function mountShare(board) {
  board.root.querySelector("[data-share]")?.addEventListener("click", async () => {
    const state = await getJSON(board.config.urls.share);
    openDialog({ title: "Share", name: "share", build: (body) => renderState(board, body, state), submitLabel: "Close", submit: async () => false });
  });
}
