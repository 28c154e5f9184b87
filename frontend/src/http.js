// JSON requests to our own server: session cookie + Django's CSRF header.

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

async function parse(response) {
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const message = (body && (body.detail || body.error || body.message)) || response.statusText;
    throw new HttpError(response.status, typeof message === "string" ? message : JSON.stringify(message), body);
  }
  return body;
}

export async function getJSON(url, { signal } = {}) {
  return parse(await fetch(url, { headers: { Accept: "application/json" }, signal, credentials: "same-origin" }));
}

export async function postJSON(url, payload, { signal, keepalive } = {}) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify(payload ?? {}),
    signal,
    keepalive,
  });
  return parse(response);
}
