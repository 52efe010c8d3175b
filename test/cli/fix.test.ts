/**
 * `azure-auth-gate fix` end to end, in-process: --diff prints a patch that `git apply` accepts (and
 * never a secret, not even as context), --write edits in place and `check` then no longer reports the
 * fixed findings, a second run changes nothing, stdin works with --diff only.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseCommand } from "../../shared/cli/args.js";
import { ROOT } from "./built-bin.js";
import { runCli } from "./run-in-process.js";

const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "loader.mjs");
const BIN = path.join(ROOT, "shared", "cli", "bin.ts");

const FIXTURES = path.resolve("test/fixtures/fix");
const SECRETS = ["SeCrEtVaLuE0123456789abcdef", "SeCrEtKeYvAlUe9876543210"];
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "aag-fix-"));
  cpSync(FIXTURES, path.join(dir, "k8s"), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const k8s = () => path.join(dir, "k8s");
const snapshot = () => ["helm-rendered.yaml", "pod-identity.yaml", "secrets.yaml"].map((f) => readFileSync(path.join(k8s(), f)));

/**
 * Applies a diff of the files in `dir`, which lies outside the tests' cwd: its headers name them by absolute path
 * without the leading `/` (as `git diff --no-index` does), so it applies as printed from `/` (outside a repository).
 */
function gitApply(diff: string) {
  const patch = path.join(dir, "fix.patch");
  writeFileSync(patch, diff);
  return spawnSync("git", ["apply", patch], { cwd: "/", encoding: "utf8" });
}

/** The CLI as a child process in `cwd` (the in-process runner shares vitest's cwd). */
function fixIn(cwd: string, args: string[]) {
  return spawnSync(process.execPath, ["--import", TSX, BIN, "fix", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
}

function noSecrets(...outputs: string[]): void {
  for (const out of outputs) for (const s of SECRETS) expect(out).not.toContain(s);
}

describe("fix --diff", () => {
  it("prints a unified diff git applies, exits 0, changes no file, and lists TODOs on stderr", async () => {
    const before = snapshot();
    const r = await runCli(["fix", k8s(), "--diff"]);
    expect(r.code).toBe(0);
    expect(snapshot()).toEqual(before);
    expect(r.stdout).toMatch(/^--- a\/.*helm-rendered\.yaml\n\+\+\+ b\//);
    expect(r.stdout).toContain('+        azure.workload.identity/use: "true"');
    expect(r.stderr).toMatch(/^azure-auth-gate fix: would fix \d+ findings \(AG102, AG103, AG104, AG109\) in 3 files\n/);
    expect(r.stderr).toContain("TODO AG105");
    expect(r.stderr).toMatch(/TODO AG101 .*secrets\.yaml:\d+ Deployment media\/uploader: env AZURE_STORAGE_KEY .* rotate it/);
    noSecrets(r.stdout, r.stderr);
    // The patch applies to the untouched tree, and gives exactly what --write writes.
    const applied = gitApply(r.stdout);
    expect(applied.stderr).toBe("");
    expect(applied.status).toBe(0);
    const patched = snapshot();
    cpSync(FIXTURES, k8s(), { recursive: true });
    expect((await runCli(["fix", k8s(), "--write"])).code).toBe(0);
    expect(snapshot()).toEqual(patched);
  });

  it("stops context short of a line that may hold a secret, and the patch still applies", async () => {
    const file = path.join(dir, "tight.yaml");
    // The label edit lands right above… nothing sensitive; the env edit sits right below a literal key.
    writeFileSync(
      file,
      [
        "apiVersion: v1",
        "kind: ServiceAccount",
        "metadata:",
        "  name: api",
        "  annotations:",
        '    azure.workload.identity/client-id: "3f8c2a91-6d0e-4b7a-9e15-2c4d8b7a1f60"',
        "---",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: api",
        "spec:",
        "  template:",
        "    metadata:",
        "      labels:",
        "        app: api",
        '        azure.workload.identity/use: "true"',
        "    spec:",
        "      serviceAccountName: api",
        "      containers:",
        "        - name: api",
        "          image: x:1",
        "          env:",
        "            - name: AZURE_STORAGE_KEY",
        `              value: "${SECRETS[1]}=="`,
        "            - name: AZURE_CLIENT_ID",
        '              value: "0b7d4c2e-1111-4a5b-8c9d-2e3f4a5b6c7d"',
        "",
      ].join("\n"),
    );
    const r = await runCli(["fix", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+              value: "3f8c2a91-6d0e-4b7a-9e15-2c4d8b7a1f60"');
    noSecrets(r.stdout, r.stderr);
    expect(r.stdout).not.toContain("AZURE_STORAGE_KEY");
    expect(gitApply(r.stdout).status).toBe(0);
  });

  it("names the files so that `git apply` run where fix ran takes the patch, for relative and absolute paths", () => {
    const repo = path.join(dir, "repo");
    cpSync(FIXTURES, path.join(repo, "k8s"), { recursive: true });
    expect(spawnSync("git", ["init", "-q", repo]).status).toBe(0);
    const link = path.join(dir, "link");
    symlinkSync(repo, link);
    const relativeRun = fixIn(repo, ["k8s", "--diff"]);
    expect(relativeRun.status).toBe(0);
    const headers = relativeRun.stdout.split("\n").filter((l) => /^(---|\+\+\+) /.test(l));
    expect(headers).toEqual(
      ["helm-rendered.yaml", "pod-identity.yaml", "secrets.yaml"].flatMap((f) => [`--- a/k8s/${f}`, `+++ b/k8s/${f}`]),
    );
    // The same patch for the absolute path (docs/sandbox.md's "$AAG_SANDBOX_DIR/k8s"), also through a symlink
    // to the cwd, and from a subfolder of the repository for the files below it.
    expect(fixIn(repo, [path.join(repo, "k8s"), "--diff"]).stdout).toBe(relativeRun.stdout);
    expect(fixIn(link, [path.join(link, "k8s"), "--diff"]).stdout).toBe(relativeRun.stdout);
    const sub = fixIn(path.join(repo, "k8s"), [path.join(repo, "k8s", "secrets.yaml"), "--diff"]);
    expect(sub.stdout).toMatch(/^--- a\/secrets\.yaml\n\+\+\+ b\/secrets\.yaml\n@@ /);
    const patch = path.join(dir, "fix.patch");
    writeFileSync(patch, relativeRun.stdout);
    const check = spawnSync("git", ["apply", "--check", patch], { cwd: repo, encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
    writeFileSync(patch, sub.stdout);
    expect(spawnSync("git", ["apply", "--check", patch], { cwd: path.join(repo, "k8s"), encoding: "utf8" }).status).toBe(0);
  });

  it("names a file outside the cwd as `git diff --no-index` names an absolute path, a patch git applies from /", () => {
    const cwd = path.join(dir, "elsewhere");
    mkdirSync(cwd);
    const file = path.join(k8s(), "helm-rendered.yaml");
    const r = fixIn(cwd, [file, "--diff"]);
    expect(r.status).toBe(0);
    writeFileSync(path.join(dir, "other.yaml"), "x: 1\n");
    const git = spawnSync("git", ["diff", "--no-index", file, path.join(dir, "other.yaml")], { cwd, encoding: "utf8" });
    const gitOld = git.stdout.split("\n").find((l) => l.startsWith("--- "));
    expect(gitOld).toBe(`--- a/${file.slice(1)}`);
    expect(r.stdout.split("\n")[0]).toBe(gitOld);
    writeFileSync(path.join(dir, "fix.patch"), r.stdout);
    expect(spawnSync("git", ["apply", "--check", path.join(dir, "fix.patch")], { cwd: "/", encoding: "utf8" }).status).toBe(0);
  });

  it("reads stdin with -", async () => {
    const text = readFileSync(path.join(FIXTURES, "helm-rendered.yaml"), "utf8");
    const r = await runCli(["fix", "-"], { stdin: text });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^--- a\/<stdin>\n\+\+\+ b\/<stdin>\n@@ /);
  });
});

describe("fix --write", () => {
  it("edits the files in place atomically, keeps their mode, and check no longer reports the fixed findings", async () => {
    const helm = path.join(k8s(), "helm-rendered.yaml");
    chmodSync(helm, 0o640);
    const config = path.join(dir, "azure-auth-gate.yml");
    writeFileSync(
      config,
      `subscriptions: [11111111-1111-1111-1111-111111111111]\ntargets:\n  - workload: shop/Deployment/mysite-worker\n    clientId: 9e1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d\n`,
    );
    const checkBefore = await runCli(["check", k8s(), "--format", "json"]);
    const idsBefore: string[] = JSON.parse(checkBefore.stdout).findings.map((f: { id: string }) => f.id);
    expect(idsBefore).toEqual(expect.arrayContaining(["AG102", "AG103", "AG104", "AG105", "AG109"]));

    const r = await runCli(["fix", k8s(), "--write", "--config", config]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^azure-auth-gate fix: fixed \d+ findings \(AG102, AG103, AG104, AG105, AG109\) in 3 files: /);
    noSecrets(r.stdout, r.stderr);
    expect(statSync(helm).mode & 0o777).toBe(0o640);

    const after = await runCli(["check", k8s(), "--format", "json"]);
    const left: string[] = JSON.parse(after.stdout)
      .findings.map((f: { id: string }) => f.id)
      .sort();
    // What is left is exactly what fix reported as TODO: the literal secrets and the unused binding.
    expect(left).toEqual(["AG101", "AG103", "AG111"]);
    noSecrets(after.stdout);

    const files = snapshot();
    const again = await runCli(["fix", k8s(), "--write", "--config", config]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^azure-auth-gate fix: nothing to change\n/);
    expect(snapshot()).toEqual(files);
  });

  it("refuses stdin, and --diff with --write, with one line and exit 2", async () => {
    const stdin = await runCli(["fix", "-", "--write"], { stdin: "kind: x" });
    expect(stdin).toEqual({
      code: 2,
      stdout: "",
      stderr: "azure-auth-gate: --write cannot edit stdin: use --diff with -, or pass the files (run 'azure-auth-gate --help' for usage)\n",
    });
    const both = await runCli(["fix", k8s(), "--write", "--diff"]);
    expect(both.code).toBe(2);
    expect(both.stderr.trim().split("\n")).toHaveLength(1);
    expect((await runCli(["check", k8s(), "--write"])).stderr).toContain("--write applies to fix, not check");
  });

  it("a bad manifest is one line naming the file, exit 2, nothing written", async () => {
    const bad = path.join(dir, "bad.yaml");
    writeFileSync(bad, "apiVersion: v1\nkind: [unclosed\n");
    const r = await runCli(["fix", bad, "--write"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^azure-auth-gate: .*bad\.yaml:\d+: malformed YAML/);
    expect(readFileSync(bad, "utf8")).toBe("apiVersion: v1\nkind: [unclosed\n");
  });
});

describe("argument parsing", () => {
  it("fix defaults to --diff; check takes --fix-format", () => {
    expect(parseCommand(["fix", "k8s/"])).toEqual({ kind: "fix", paths: ["k8s/"], mode: "diff" });
    expect(parseCommand(["fix", "k8s/", "--write", "--config", "gate.yml"])).toEqual({
      kind: "fix",
      paths: ["k8s/"],
      mode: "write",
      config: "gate.yml",
    });
    expect(parseCommand(["check", "k8s/", "--fix-format", "terraform"])).toMatchObject({ kind: "check", fixFormat: "terraform" });
    expect(() => parseCommand(["check", "k8s/", "--fix-format", "pulumi"])).toThrow(
      "--fix-format must be one of az, bicep, terraform (got 'pulumi')",
    );
    expect(() => parseCommand(["fix", "k8s/", "--fix-format", "bicep"])).toThrow("--fix-format applies to check, not fix");
  });
});
