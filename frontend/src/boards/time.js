// "updated 3 min ago", refreshed while the page is open.

const units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

export function ago(iso, now = Date.now()) {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Math.abs(seconds) < 10) return "just now";
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === "second") return format.format(Math.round(seconds / size), unit);
  }
  return "";
}

export function ageSeconds(iso, now = Date.now()) {
  return (now - new Date(iso).getTime()) / 1000;
}
