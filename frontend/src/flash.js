// A message for the next page, as the server's flash messages are shown: set before a
// navigation the island makes itself (after an API call), shown once on the page it opens.

const KEY = "dashwire:flash";

export function flash(message) {
  try {
    sessionStorage.setItem(KEY, message);
  } catch {
    // no sessionStorage: the page that opens says enough by itself
  }
}

export function showFlash() {
  let message = null;
  try {
    message = sessionStorage.getItem(KEY);
    sessionStorage.removeItem(KEY);
  } catch {
    return;
  }
  if (!message) return;
  const list = document.createElement("ul");
  list.className = "messages";
  const item = document.createElement("li");
  item.className = "success";
  item.textContent = message;
  list.append(item);
  document.querySelector("header")?.after(list);
}
