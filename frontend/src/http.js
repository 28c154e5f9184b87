// JSON requests to our own API: session cookie + Django's CSRF header. An error answer
// throws HttpError with the API's `detail` as message and the whole body (field, position).

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export class HttpError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

// A request body that did not match its schema (422) lists every problem; show the first.
function describe(detail) {
  if (Array.isArray(detail) && detail.length) {
    const first = detail[0];
    const where = (first.loc || []).filter((part) => part !== "body").join(".");
    return where ? `${where}: ${first.msg}` : first.msg;
  }
  return detail;
}

async function parse(response) {
  if (response.status === 204) return null;
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const message = (body && describe(body.detail || body.error || body.message)) || response.statusText;
    throw new HttpError(response.status, typeof message === "string" ? message : JSON.stringify(message), body);
  }
  return body;
}

export async function getJSON(url, { signal } = {}) {
  return parse(await fetch(url, { headers: { Accept: "application/json" }, signal, credentials: "same-origin" }));
}

export async function sendJSON(method, url, payload, { signal, keepalive } = {}) {
  const response = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: payload === undefined ? undefined : JSON.stringify(payload),
    signal,
    keepalive,
  });
  return parse(response);
}

export function postJSON(url, payload, options = {}) {
  return sendJSON("POST", url, payload ?? {}, options);
}

// `/api/queries/__id__` with {id: 5} → `/api/queries/5`
export function fill(template, values) {
  return Object.entries(values).reduce((out, [key, value]) => out.replace(`__${key}__`, encodeURIComponent(value)), template);
}
