// Bundles the CLI (`azure-auth-gate`) into dist/cli/: one ESM entry (bin.js) plus lazy chunks, so that a
// static check or `--help` loads only the static engine and the Azure SDKs, the probe's Kubernetes client and
// Octokit load on first use (dynamic imports split into their own chunks). Runs with no node_modules, from any
// install location. The npm package IS this folder: it gets its own package.json (no dependencies: everything the
// bin runs is inside the bundle), README.md and LICENSE, and is packed with `npm pack dist/cli` (published with
// `npm publish dist/cli`). Packing the repository root instead would make every `npx azure-auth-gate` install the
// root's runtime dependencies, which only the Action and the Function need unbundled: 187 packages, 258 MB, beside
// a 9 MB bundle (measured with the root package on 2026-12-03). The root is `private` so it cannot be published.
// Also writes dist/cli/THIRD_PARTY_LICENSES.txt (every bundled package's licence text) and, outside the
// package, dist/cli-meta.json (esbuild's metafile: the static-path test reads the module graph from it).
// `--outdir DIR` writes DIR and DIR-meta.json instead (the tests build their own copy).
import { copyFileSync, existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildNodeBundle } from "./node-bundle.mjs";

process.chdir(path.resolve(import.meta.dirname, ".."));
const OUT = path.resolve(parseArgs({ options: { outdir: { type: "string", default: "dist/cli" } } }).values.outdir);
const result = await buildNodeBundle({ bin: "shared/cli/bin.ts" }, OUT, { sourcemap: "linked", sourcesContent: false });

/** The package folder (node_modules/<name> or node_modules/@scope/<name>, nested ones included) an input lives in. */
function packageDir(input) {
  const parts = input.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return undefined;
  const len = parts[at + 1]?.startsWith("@") ? 3 : 2;
  return parts.slice(0, at + len).join("/");
}

const dirs = [...new Set(Object.keys(result.metafile.inputs).map(packageDir).filter(Boolean))].sort();
const sections = dirs.map((dir) => {
  const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = file
    ? readFileSync(path.join(dir, file), "utf8").trim()
    : `(no licence file in the package; package.json says: ${pkg.license ?? "unknown"})`;
  return `${pkg.name}@${pkg.version} — ${pkg.license ?? "see below"}\n\n${text}\n`;
});
const header = `Third-party software bundled into azure-auth-gate's CLI (dist/cli): ${dirs.length} packages.\n`;
writeFileSync(path.join(OUT, "THIRD_PARTY_LICENSES.txt"), `${header}\n${sections.join(`\n${"-".repeat(72)}\n\n`)}`);

// The published manifest: the root's identity fields, the bin, and nothing to install. `bufferutil` and
// `utf-8-validate`, the only non-builtin imports esbuild leaves external, are optional speed-ups `ws` loads in a
// try/catch; check-cli-package.mjs fails if any other external appears.
const root = JSON.parse(readFileSync("package.json", "utf8"));
const manifest = {
  name: root.name,
  version: root.version,
  description: root.description,
  type: "module",
  license: root.license,
  bin: { [root.name]: "bin.js" },
  engines: root.engines,
};
writeFileSync(path.join(OUT, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
for (const file of ["README.md", "LICENSE"]) copyFileSync(file, path.join(OUT, file));
if (!existsSync(path.join(OUT, "bin.js"))) throw new Error(`bundle-cli: ${OUT}/bin.js was not written`);
