// A small <dialog> form: build(body) fills it, submit(form) returns a promise; errors
// stay in the dialog, success closes it.

export function h(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of [children].flat()) if (child !== null && child !== undefined) node.append(child);
  return node;
}

export function openDialog({ title, build, submit, submitLabel = "Save", name }) {
  const error = h("p", { class: "dialog-error", hidden: true });
  const body = h("div", { class: "dialog-body" });
  const form = h("form", { method: "dialog" }, [h("h2", { text: title }), body, error,
    h("div", { class: "dialog-actions" }, [
      h("button", { type: "button", value: "cancel", text: "Cancel", onclick: () => dialog.close() }),
      submit ? h("button", { type: "submit", class: "primary", text: submitLabel }) : null,
    ])]);
  const dialog = h("dialog", { class: "board-dialog", "data-dialog": name || "" }, [form]);
  build(body);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!submit) return dialog.close();
    error.hidden = true;
    try {
      const keepOpen = await submit(form, body);
      if (!keepOpen) dialog.close();
    } catch (problem) {
      error.textContent = problem.message;
      error.hidden = false;
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}
