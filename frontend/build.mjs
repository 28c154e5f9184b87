// Bundles src/app.js and src/app.css into ../static/dist/ (served by Django's staticfiles).
import { build } from "esbuild";
import { copyVendorFiles } from "./vendor.mjs";

const watch = process.argv.includes("--watch");
const options = {
  entryPoints: {
    app: "src/app.js",
    style: "src/app.css",
    boards: "src/boards/index.js",
    "boards-style": "src/boards/boards.css",
  },
  bundle: true,
  minify: !watch,
  sourcemap: true,
  format: "iife",
  target: ["es2020"],
  outdir: "../static/dist",
  logLevel: "info",
};
await build(options);
copyVendorFiles();
