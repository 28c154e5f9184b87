// Page-wide keys: "?" opens the shortcut overlay, Alt+Shift+D toggles the theme, "/" focuses
// the page's search box. Keys typed into fields and the editor are left alone.

import { toggleTheme } from "./theme.js";

function isTyping(target) {
  return target.closest("input, textarea, select, [contenteditable=true], .cm-editor");
}

export function installShortcuts() {
  const overlay = document.getElementById("shortcuts");
  document.addEventListener("keydown", (event) => {
    if (event.altKey && event.shiftKey && event.code === "KeyD") {
      toggleTheme();
      event.preventDefault();
      return;
    }
    if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "?" && overlay) {
      overlay.open ? overlay.close() : overlay.showModal();
      event.preventDefault();
    } else if (event.key === "/") {
      const box = document.querySelector("[data-page-search]");
      if (box) {
        box.focus();
        event.preventDefault();
      }
    }
  });
  document.querySelectorAll("[data-toggle-theme]").forEach((button) => button.addEventListener("click", toggleTheme));
  document.querySelectorAll("[data-show-shortcuts]").forEach((button) => button.addEventListener("click", () => overlay.showModal()));
}
