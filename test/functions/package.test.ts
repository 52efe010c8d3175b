/**
 * The Function's deployment package as a user deploys it: `scripts/package-function.ts` (npm run package:function)
 * builds the zip; the zip is unpacked into an empty folder with no node_modules above it, checked for the dev tree,
 * and its package.json `main` imported with Node — the way the Functions host loads the app.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..", "..");
let work: string;
let app: string;
let files: string[];
let packageLine: string;

/** Package names (node_modules/<name> or node_modules/@scope/<name>, at any depth) of an `npm ls --parseable` listing. */
function packageNames(parseable: string): Set<string> {
  const names = new Set<string>();
  for (const line of parseable.split("\n")) {
    const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(line.trim());
    if (match) names.add(match[1]!);
  }
  return names;
}

function npmLs(...args: string[]): Set<string> {
  return packageNames(execFileSync("npm", ["ls", "--all", "--parseable", ...args], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 }));
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "aag-function-zip-"));
  // Compiled into a folder of its own: rewriting dist/ would race other tests that run the built CLI.
  execFileSync(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json", "--outDir", join(work, "built")], {
    cwd: root,
    stdio: "pipe",
  });
  packageLine = execFileSync(
    join(root, "node_modules", ".bin", "tsx"),
    ["scripts/package-function.ts", "--built", join(work, "built"), "--out", join(work, "function-app.zip")],
    { cwd: root, encoding: "utf8" },
  );
  const entries = unzipSync(new Uint8Array(readFileSync(join(work, "function-app.zip"))));
  app = join(work, "app");
  files = Object.keys(entries).sort();
  for (const [name, data] of Object.entries(entries)) {
    mkdirSync(dirname(join(app, name)), { recursive: true });
    writeFileSync(join(app, name), data);
  }
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("dist/function-app.zip", () => {
  it("holds host.json, package.json (runtime fields, main present) and the compiled code", () => {
    expect(packageLine).toMatch(/function-app\.zip: [\d.]+ MiB, \d+ files/);
    expect(files).toContain("host.json");
    expect(JSON.parse(readFileSync(join(app, "host.json"), "utf8")).version).toBe("2.0");
    const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
    expect(pkg).toMatchObject({ name: "azure-auth-gate", type: "module", main: "dist/functions/index.js" });
    expect(pkg.devDependencies).toBeUndefined();
    expect(pkg.scripts).toBeUndefined();
    // dist/package.json (imported by the compiled code for the tool's version) carries the same runtime fields only.
    if (files.includes("dist/package.json")) expect(JSON.parse(readFileSync(join(app, "dist/package.json"), "utf8"))).toEqual(pkg);
    expect(files).toContain(pkg.main);
    expect(files.some((file) => file.startsWith("dist/shared/"))).toBe(true);
    // Only what the Function runs: no sources, tests, sandbox, Action bundle or CLI entry point.
    for (const file of files)
      expect(file).toMatch(/^(host\.json|package\.json|dist\/(functions|shared)\/.*\.js|dist\/package\.json|node_modules\/.+)$/);
    expect(files).not.toContain("dist/action/index.js");
    expect(files).not.toContain("dist/shared/cli/bin.js");
  });

  it("holds the production dependency tree and nothing of the dev tree", () => {
    const production = npmLs("--omit=dev");
    const devOnly = [...npmLs()].filter((name) => !production.has(name));
    expect(devOnly).toEqual(expect.arrayContaining(["vitest", "azurite", "typescript", "esbuild", "node"]));
    const shipped = packageNames(
      files
        .filter((file) => file.startsWith("node_modules/"))
        .map((file) => file.replace(/^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\/.*$/, "$1"))
        .join("\n"),
    );
    for (const name of devOnly) expect(shipped.has(name), `dev dependency ${name} is in the zip`).toBe(false);
    for (const name of shipped) expect(production.has(name), `${name} is not a production dependency`).toBe(true);
    for (const name of Object.keys(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).dependencies)) {
      expect(shipped.has(name), `production dependency ${name} is missing`).toBe(true);
    }
  });

  it("loads: Node imports its main from the unpacked folder and the seven functions register", () => {
    expect(existsSync(join(work, "node_modules"))).toBe(false);
    expect(relative(root, app).startsWith("..")).toBe(true);
    const child = spawnSync(
      process.execPath,
      ["--input-type=module", "-e", "await import(process.argv[1])", join(app, "dist/functions/index.js")],
      {
        cwd: app,
        env: { PATH: process.env.PATH ?? "" },
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(child.status, child.stderr).toBe(0);
    // Outside the Functions host, @azure/functions says so and names each registration it would make.
    for (const name of [
      "complianceSweep",
      "checkBindings",
      "rotateSecrets",
      "auditReport",
      "httpSweep",
      "deploymentProtection",
      "reviewDeployment",
    ]) {
      expect(child.stderr).toContain(`register function "${name}"`);
    }
    expect(readdirSync(join(app, "node_modules", "@azure"))).toContain("functions");
  });
});
