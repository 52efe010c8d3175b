/**
 * The Action's start-up in static mode: the bundle's module graph (esbuild's metafile, from a fresh build of
 * scripts/bundle-action.mjs) shows what loads before the first line of work. A static run must not load an
 * Azure SDK, the Kubernetes client, Octokit or @actions/core's OIDC client (http-client → undici): they are
 * dynamic imports (chunks loaded on first use). Speed itself is measured by `npm run bench`, not here.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packagesOf, readMetafile, staticClosure } from "../cli/module-graph.js";

const ROOT = resolve(import.meta.dirname, "../..");
const OUT = join(ROOT, "node_modules/.cache/azure-auth-gate-action-graph");
let meta: ReturnType<typeof readMetafile>;

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, "scripts/bundle-action.mjs"), "--outdir", OUT], { cwd: ROOT, stdio: "pipe" });
  meta = readMetafile(`${OUT}-meta.json`);
}, 180_000);

afterAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  rmSync(`${OUT}-meta.json`, { force: true });
});

const HEAVY = /^@azure\/|^@azure-rest\/|^@kubernetes\/|^@octokit\/|^@actions\/(github|http-client)$|^undici$/;

describe("the Action bundle's static path", () => {
  it("loads no Azure SDK, Kubernetes client, Octokit or OIDC HTTP client before the run starts", () => {
    const onStart = packagesOf(staticClosure(meta, ["action/index.ts"]));
    expect([...onStart].filter((p) => HEAVY.test(p))).toEqual([]);
    expect(onStart).toContain("@actions/core");
  });

  it("still bundles them, behind dynamic imports: the gate, the sign-in's OIDC client, Octokit", () => {
    expect(packagesOf(staticClosure(meta, ["shared/gate/azure-layers.ts"]))).toContain("@azure/arm-authorization");
    expect(packagesOf(staticClosure(meta, ["action/login.ts"]))).toContain("@azure/identity");
    const oidc = Object.keys(meta.inputs).find((f) => f.endsWith("@actions/core/lib/oidc-utils.js") && !f.startsWith("oidc-on-demand:"));
    expect(oidc, "the real OIDC client is in the bundle").toBeDefined();
    expect(packagesOf(staticClosure(meta, [oidc!]))).toContain("undici");
    expect(meta.inputs["oidc-on-demand:@actions/core/lib/oidc-utils.js"]?.imports).toEqual([
      expect.objectContaining({ kind: "dynamic-import", path: oidc }),
    ]);
  });

  it("carries the repository's package.json as name and version only: no scripts or dependency lists", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; scripts: Record<string, string> };
    expect(meta.inputs["package.json"]?.bytes).toBeLessThan(100);
    const files = readdirSync(OUT, { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith(".js"));
    const text = files.map((f) => readFileSync(join(f.parentPath, f.name), "utf8")).join("\n");
    expect(text).toContain(`name:"azure-auth-gate",version:"${pkg.version}"`);
    // Libraries bundle their own package.json; the repository's scripts are ours alone.
    for (const script of Object.values(pkg.scripts)) expect(text, script).not.toContain(JSON.stringify(script));
  });
});
