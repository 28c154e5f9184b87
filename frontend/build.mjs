// Bundles src/app.js and src/app.css into ../static/dist/ (served by Django's staticfiles).
import { build } from "esbuild";

const watch = process.argv.includes("--watch");
const options = {
  entryPoints: { app: "src/app.js", style: "src/app.css" },
  bundle: true,
  minify: !watch,
  sourcemap: true,
  format: "iife",
  target: ["es2020"],
  outdir: "../static/dist",
  logLevel: "info",
};
await build(options);
