// Light / dark theme: the choice is kept in localStorage, the system setting is the default.

const KEY = "dashwire:theme";

export function applyTheme() {
  const saved = localStorage.getItem(KEY);
  const theme = saved || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
  document.documentElement.dataset.theme = theme;
}

export function toggleTheme() {
  const next = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
  localStorage.setItem(KEY, next);
  document.documentElement.dataset.theme = next;
}
