// Bundles the GitHub Action into dist/action/: one ESM entry (index.js, runs.main) plus chunks, running with no
// node_modules (runs.using: node24). Splitting keeps a static run's start-up small: the Azure layer, the OIDC login,
// the probe's Kubernetes client and Octokit are dynamic imports in action/run-action.ts, so they are chunks loaded on
// first use. The folder is rebuilt from scratch (stale chunks would otherwise stay committed).
// `--outdir DIR` writes DIR and DIR-meta.json instead of dist/action and dist/action-meta.json (tests).
// The banner gives CommonJS dependencies inside the ESM chunks a working `require`.
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { buildNodeBundle } from "./node-bundle.mjs";

// @actions/core imports its OIDC client (→ @actions/http-client → undici, ~0.4 MB minified, and with it Node's
// http2/tls/worker_threads/zlib built-ins) at the top of core.js, for getIDToken only: every run would load it
// before the first log line. This plugin hands core.js a stand-in whose getIDToken (already async) imports the
// real module on first call, so the OIDC client is a chunk the sign-in loads and a static run never does.
const oidcOnDemand = {
  name: "actions-core-oidc-on-demand",
  setup(build) {
    build.onResolve({ filter: /^\.\/oidc-utils\.js$/ }, (args) => {
      // The stand-in's own import of the real module resolves normally.
      if (args.namespace === "oidc-on-demand" || !/@actions[\\/]core[\\/]lib$/.test(args.resolveDir)) return undefined;
      // A machine-independent name: chunk hashes must not depend on where the repository is checked out.
      return { path: "@actions/core/lib/oidc-utils.js", namespace: "oidc-on-demand", pluginData: { resolveDir: args.resolveDir } };
    });
    build.onLoad({ filter: /.*/, namespace: "oidc-on-demand" }, (args) => ({
      contents:
        'export const OidcClient = { getIDToken: async (audience) => (await import("./oidc-utils.js")).OidcClient.getIDToken(audience) };\n',
      resolveDir: args.pluginData.resolveDir,
      loader: "js",
    }));
  },
};

if (!existsSync("action/index.ts")) {
  console.log("bundle-action: no action/index.ts yet, nothing to bundle");
  process.exit(0);
}
const OUT = path.resolve(parseArgs({ options: { outdir: { type: "string", default: "dist/action" } } }).values.outdir);
await buildNodeBundle({ index: "action/index.ts" }, OUT, { plugins: [oidcOnDemand] });
