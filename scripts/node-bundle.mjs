// The esbuild settings the Action and the CLI bundles share: one ESM entry plus chunks split at dynamic imports,
// runnable with no node_modules. Each folder is rebuilt from scratch (stale chunks would otherwise stay), and the
// module graph is written beside it as DIR-meta.json (the static-path tests and the bench read it).
import { build } from "esbuild";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT_PACKAGE = fileURLToPath(new URL("../package.json", import.meta.url));

// shared/tool.ts imports the repository's package.json for the tool's name and version. Bundled as it is, the whole
// file (scripts, every devDependency) would ship in each bundle, and a devDependency bump would change the committed
// Action bundle. This hands esbuild those two fields only.
const packageIdentityOnly = {
  name: "package-identity-only",
  setup(b) {
    b.onLoad({ filter: /[\\/]package\.json$/ }, (args) => {
      if (args.path !== ROOT_PACKAGE) return undefined;
      const { name, version } = JSON.parse(readFileSync(args.path, "utf8"));
      return { contents: JSON.stringify({ name, version }), loader: "json" };
    });
  },
};

/** Builds `entryPoints` into `outdir`; `extra` adds or overrides esbuild options (sourcemaps, plugins). */
export async function buildNodeBundle(entryPoints, outdir, extra = {}) {
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints,
    bundle: true,
    splitting: true,
    platform: "node",
    target: "node22",
    format: "esm",
    outdir,
    chunkNames: "chunks/[name]-[hash]",
    // CommonJS dependencies inside ESM chunks need a working `require` (each chunk gets its own).
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    legalComments: "none",
    minify: true,
    metafile: true,
    logLevel: "warning",
    ...extra,
    plugins: [packageIdentityOnly, ...(extra.plugins ?? [])],
  });
  writeFileSync(`${outdir}-meta.json`, JSON.stringify(result.metafile));
  return result;
}
