// Bundles the GitHub Action into one ESM file that runs with no node_modules (runs.using: node24).
// The banner gives CommonJS dependencies inside the ESM bundle a working `require`.
import { build } from "esbuild";
import { existsSync } from "node:fs";

if (!existsSync("action/index.ts")) {
  console.log("bundle-action: no action/index.ts yet, nothing to bundle");
  process.exit(0);
}
await build({
  entryPoints: ["action/index.ts"],
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  outfile: "dist/action/index.js",
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  legalComments: "none",
  minify: true,
  logLevel: "warning",
});
