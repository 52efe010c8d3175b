/** The built `azure-auth-gate` executable as a child process, without Azure (see config-sandbox.test.ts for --config). */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { buildBin, ROOT, runBin } from "./built-bin.js";
import { packagesOf, readMetafile, staticClosure } from "./module-graph.js";

let built: ReturnType<typeof buildBin>;
let home: string;
let env: Record<string, string>;

beforeAll(() => {
  built = buildBin("plain");
  home = mkdtempSync(join(tmpdir(), "aag-bin-home-"));
  env = { PATH: dirname(process.execPath), HOME: home, NO_COLOR: "1" };
}, 180_000);

afterAll(() => {
  built.remove();
  rmSync(home, { recursive: true, force: true });
});

describe("the built azure-auth-gate bin", () => {
  it("is emitted with a node shebang and prints its version", async () => {
    expect(readFileSync(built.bin, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");
    expect(await runBin(built.bin, ["--version"], env)).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("checks a directory and piped manifests, with the exit code of the verdict", async () => {
    const dir = await runBin(built.bin, ["check", "test/cli/fixtures/broken", "--format", "json"], env);
    expect(dir.code).toBe(1);
    expect(JSON.parse(dir.stdout).verdict).toBe("fail");
    const piped = await runBin(built.bin, ["check", "-"], env, readFileSync(join(ROOT, "test/cli/fixtures/fixed/app.yaml"), "utf8"));
    expect(piped.code).toBe(0);
    expect(piped.stdout).toMatch(/^PASS/);
  });

  it("--verbose on a static check logs the plan and the static step on stderr; without it stderr stays empty", async () => {
    const args = ["check", "test/cli/fixtures/broken", "--format", "json"];
    const verbose = await runBin(built.bin, [...args, "--verbose"], env);
    expect(verbose.code).toBe(1);
    expect(JSON.parse(verbose.stdout).verdict).toBe("fail"); // the report on stdout is untouched
    expect(verbose.stderr).toContain("plan: static: runs (manifests were given)\n");
    expect(verbose.stderr).toContain("plan: control plane: skipped (mode 'static' never signs in to Azure)\n");
    expect(verbose.stderr).toMatch(/^static: \d+ manifest file\(s\) read, [1-9]\d* finding\(s\)$/m);
    const quiet = await runBin(built.bin, args, env);
    expect(JSON.parse(quiet.stdout).findings).toEqual(JSON.parse(verbose.stdout).findings);
    expect(quiet.stderr).toBe("");
  });

  it("exits 2 with one line for a usage error", async () => {
    const r = await runBin(built.bin, ["check", "--nope"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("azure-auth-gate: unknown option '--nope' (run 'azure-auth-gate --help' for usage)\n");
  });

  it("runs the checkout's sandbox when built in a clone (its own package.json is not the repository's)", async () => {
    const state = mkdtempSync(join(tmpdir(), "aag-bin-sandbox-"));
    try {
      // The sandbox itself refuses the unknown scenario: the bin found test/sandbox and launched it.
      const r = await runBin(built.bin, ["sandbox", "start", "--scenario", "no-such-scenario", "--state-dir", state], env);
      expect(r.code).toBe(2);
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain("no-such-scenario");
      expect(r.stderr).not.toContain("ships with the source repository");
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });

  it("refuses the sandbox in one line, exit 2, when the built package sits outside a checkout (as npm installs it)", async () => {
    const outside = mkdtempSync(join(tmpdir(), "aag-bin-outside-"));
    try {
      const pkgDir = join(outside, "node_modules", "azure-auth-gate");
      cpSync(dirname(built.bin), pkgDir, { recursive: true });
      const r = await runBin(join(pkgDir, "bin.js"), ["sandbox", "start", "--scenario", "workload-identity"], env);
      expect(r).toEqual({
        code: 2,
        stdout: "",
        stderr: expect.stringMatching(
          /^azure-auth-gate: sandbox: the sandbox ships with the source repository \(test\/sandbox\/\): clone azure-auth-gate, .*\n$/,
        ),
      });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("loads no Azure SDK, Kubernetes client, Octokit or zod for --help, --version and a static check (bundle module graph)", () => {
    const meta = readMetafile(built.meta);
    // bin → main (help, version) and the chunk `check` loads for a check without --config.
    const staticPath = packagesOf(staticClosure(meta, ["shared/cli/bin.ts", "shared/cli/check.ts"]));
    const heavy = [...staticPath].filter((p) => /^@azure\/|^@azure-rest\/|^@kubernetes\/|^@octokit\/|^@actions\/|^zod$/.test(p));
    expect(heavy).toEqual([]);
    // shell-quote (16 KB, no dependencies) quotes the names in the printed kubectl/az fixes; js-yaml's event
    // parser is the fast read of plain manifests (shared/static/yaml-events.ts), yaml the full one.
    expect([...staticPath].sort()).toEqual(["js-yaml", "shell-quote", "yaml"]);
    // The gate path does load them (on first use): the graph is read right, the test can fail.
    const gatePath = packagesOf(staticClosure(meta, ["shared/cli/check-azure.ts"]));
    expect(gatePath).toContain("@azure/identity");
    expect(gatePath).toContain("@azure/arm-authorization");
    expect(gatePath).not.toContain("@kubernetes/client-node");
    expect(gatePath).not.toContain("@azure/storage-blob"); // the gate reads containers through ARM; Blob is the probe's
    // Nothing of the probe, the sweep (Resource Graph), the Function host or Octokit is parsed on the gate path.
    expect([...gatePath].filter((p) => /^@azure\/(arm-resourcegraph|functions|storage-queue)$|^@octokit\/|^@actions\//.test(p))).toEqual(
      [],
    );
    expect(packagesOf(staticClosure(meta, ["shared/probe/index.ts"]))).toContain("@kubernetes/client-node");
  });
});
