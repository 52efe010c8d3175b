/**
 * `check DIR` on repository trees as they really are: manifests beside chart values, compose files, the
 * gate's own config and CI workflows. Every manifest is checked, other YAML is skipped with one notice,
 * a broken file is refused by file:line while the rest is still reported, and links out of the tree are
 * never followed.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Report } from "../../shared/findings/model.js";
import { runCli } from "../cli/run-in-process.js";

const MIXED = join("test", "fixtures", "repos", "mixed");
const tmp = mkdtempSync(join(tmpdir(), "aag-dirs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function copyOfMixed(name: string): string {
  const dir = join(tmp, name);
  cpSync(MIXED, dir, { recursive: true });
  return dir;
}

const notices = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("azure-auth-gate: notice: "));

describe("directory runs", () => {
  it("check every manifest of a mixed tree and skip compose, values and the gate's config with one notice each", async () => {
    const r = await runCli(["check", MIXED, "--format", "json"]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.findings.map((f) => `${f.id} ${f.location?.file}`)).toEqual([`AG104 ${join(MIXED, "k8s", "deployment.yaml")}`]);
    expect(report.metadata.inputs).toEqual([join(MIXED, "k8s", "deployment.yaml"), join(MIXED, "k8s", "serviceaccount.yaml")]);
    expect(notices(r.stderr)).toEqual([
      `azure-auth-gate: notice: ${join(MIXED, "azure-auth-gate.yml")}: skipped: not a Kubernetes object (azure-auth-gate configuration)`,
      `azure-auth-gate: notice: ${join(MIXED, "docker-compose.yml")}: skipped: not a Kubernetes object (a Compose file)`,
      `azure-auth-gate: notice: ${join(MIXED, "helm", "values-redis.yaml")}: skipped: not a Kubernetes object (Helm values)`,
    ]);
    // The CI workflow under .github is not even read.
    expect(r.stderr).not.toContain("ci.yml");
    expect(report.metadata.skippedInputs).toHaveLength(3);
    expect(report.metadata.refusedInputs).toBeUndefined();
  });

  it("the repository's own examples/ directory is checked, its gate config skipped, the demo's template refused at its line", async () => {
    const r = await runCli(["check", "examples"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "azure-auth-gate: notice: examples/sandbox/azure-auth-gate.yml: skipped: not a Kubernetes object (azure-auth-gate configuration)",
    );
    expect(r.stderr).toMatch(/^azure-auth-gate: examples\/sandbox\/backend\.yaml:\d+: looks like an unrendered Helm template/m);
    expect(r.stdout).toContain("examples/django-broken/");
  });

  it("a malformed and a templated file are refused by file:line, exit 2, and the report still covers every other file", async () => {
    const dir = copyOfMixed("broken");
    writeFileSync(join(dir, "k8s", "broken.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: [unclosed\n");
    writeFileSync(join(dir, "k8s", "templated.yaml"), 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: "{{ .Values.sa }}"\n');
    const out = join(tmp, "broken-report.json");
    const r = await runCli(["check", dir, "--format", "json", "--output", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^azure-auth-gate: ${join(dir, "k8s", "broken.yaml")}:\\d+: malformed YAML: `, "m"));
    expect(r.stderr).toContain(`azure-auth-gate: ${join(dir, "k8s", "templated.yaml")}:4: looks like an unrendered Helm template`);
    const report = JSON.parse(readFileSync(out, "utf8")) as Report;
    expect(report.findings.map((f) => f.id)).toEqual(["AG104"]);
    expect(report.metadata.refusedInputs).toHaveLength(2);
    expect(report.metadata.inputs).toEqual([join(dir, "k8s", "deployment.yaml"), join(dir, "k8s", "serviceaccount.yaml")]);
  });

  it("files refused while modelling (no containers list, a shell in serviceAccountName) are refused like malformed ones: file:line, exit 2, the report covers every other file", async () => {
    const dir = copyOfMixed("unmodelled");
    const corpus = join("test", "fixtures", "bad-input", "manifests");
    for (const name of ["containers-not-list.yaml", "pod-serviceaccount-shell.yaml", "yaml-unclosed-flow.yaml"])
      cpSync(join(corpus, name), join(dir, "k8s", name));
    const out = join(tmp, "unmodelled-report.json");
    const r = await runCli(["check", dir, "--format", "json", "--output", out]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`azure-auth-gate: fail (1 error, 0 warnings); report written to ${out}`);
    const refusals = r.stderr.split("\n").filter((l) => l.startsWith(`azure-auth-gate: ${dir}`));
    expect(refusals).toEqual([
      expect.stringMatching(new RegExp(`^azure-auth-gate: ${join(dir, "k8s", "yaml-unclosed-flow.yaml")}:6: malformed YAML: `)),
      `azure-auth-gate: ${join(dir, "k8s", "containers-not-list.yaml")}:6: spec.template.spec.containers: Deployment default/web has no spec.template.spec.containers: the gate needs fully rendered objects (run \`kustomize build\` / \`helm template\` first)`,
      expect.stringMatching(
        new RegExp(
          `^azure-auth-gate: ${join(dir, "k8s", "pod-serviceaccount-shell.yaml")}:9: spec\\.template\\.spec\\.serviceAccountName: "a\`id\`" must be an RFC 1123 subdomain`,
        ),
      ),
    ]);
    const report = JSON.parse(readFileSync(out, "utf8")) as Report;
    expect(report.findings.map((f) => `${f.id} ${f.location?.file}`)).toEqual([`AG104 ${join(dir, "k8s", "deployment.yaml")}`]);
    expect(report.metadata.refusedInputs).toEqual(refusals.map((l) => l.replace(/^azure-auth-gate: /, "")));
    expect(report.metadata.inputs).toEqual([join(dir, "k8s", "deployment.yaml"), join(dir, "k8s", "serviceaccount.yaml")]);
  });

  it("a file refused while modelling, checked alone: exit 2, its one line, no report (as a malformed file alone)", async () => {
    for (const name of ["containers-not-list.yaml", "pod-serviceaccount-shell.yaml", "yaml-unclosed-flow.yaml"]) {
      const file = join("test", "fixtures", "bad-input", "manifests", name);
      const r = await runCli(["check", file]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(new RegExp(`^azure-auth-gate: ${file.replace(/\./g, "\\.")}:\\d+: [^\n]*\n$`));
    }
    const stdin = await runCli(["check", "-"], {
      stdin: readFileSync(join("test", "fixtures", "bad-input", "manifests", "containers-not-list.yaml"), "utf8"),
    });
    expect(stdin.code).toBe(2);
    expect(stdin.stdout).toBe("");
    expect(stdin.stderr).toMatch(/^azure-auth-gate: <stdin>:6: spec\.template\.spec\.containers: [^\n]*\n$/);
  });

  it("a file mixing an object with a non-object document is broken, not foreign: refused at the document", async () => {
    const dir = copyOfMixed("half");
    writeFileSync(join(dir, "k8s", "half.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n- just\n- a list\n");
    const r = await runCli(["check", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, "k8s", "half.yaml")}:5: a YAML document is a list, not a Kubernetes object`);
  });

  it("only broken files: exit 2, one line each, no report", async () => {
    const dir = join(tmp, "all-broken");
    mkdirSync(dir);
    writeFileSync(join(dir, "a.yaml"), "kind: Deployment\nmetadata: {name: a}\n");
    writeFileSync(join(dir, "b.yaml"), "apiVersion: v1\nkind: Pod\nkind: Pod\n");
    const r = await runCli(["check", dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toEqual([
      `azure-auth-gate: ${join(dir, "a.yaml")}:1: apiVersion: Deployment object has no apiVersion`,
      `azure-auth-gate: ${join(dir, "b.yaml")}:3: malformed YAML: Map keys must be unique`,
    ]);
  });

  it("only foreign YAML: exit 2 saying nothing was a Kubernetes object", async () => {
    const dir = join(tmp, "foreign");
    mkdirSync(dir);
    writeFileSync(join(dir, "compose.yaml"), "services:\n  web: {image: x}\n");
    const r = await runCli(["check", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no Kubernetes objects in the input");
    expect(r.stderr).toContain("compose.yaml: not a Kubernetes object (a Compose file)");
  });

  it("a repository with manifests, a chart (no helm here), compose and the gate's config: the manifests are checked, the chart named with the command to render it", async () => {
    const dir = copyOfMixed("with-chart");
    cpSync(join("test", "fixtures", "repos", "chart", "deploy"), join(dir, "deploy"), { recursive: true });
    const r = await runCli(["check", dir, "--format", "json"], { env: {} });
    expect(r.code, r.stderr).toBe(1);
    expect((JSON.parse(r.stdout) as Report).findings.map((f) => f.id)).toEqual(["AG104"]);
    expect(r.stderr).toContain(
      `notice: ${join(dir, "deploy", "mysite")}: skipped: Helm chart, and helm is not on PATH: render it yourself with \`helm template release-name ${join(dir, "deploy", "mysite")} | azure-auth-gate check -\``,
    );
    // The chart's templates are the renderer's input, never read as manifests (they would be "unrendered").
    expect(r.stderr).not.toContain("unrendered");
  });

  it("a file named on the command line is still held to being a manifest", async () => {
    const r = await runCli(["check", join(MIXED, "docker-compose.yml")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("docker-compose.yml:1: kind: Kubernetes object has no kind");
  });
});

describe("symbolic links", () => {
  it("links out of the scanned tree (file or directory) are skipped with a notice, never read; links inside are followed once", async () => {
    const outside = join(tmp, "outside");
    mkdirSync(outside, { recursive: true });
    // What a hostile repository would point at: a manifest elsewhere on the runner.
    writeFileSync(join(outside, "stolen.yaml"), "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: outside-the-tree\n");
    const dir = copyOfMixed("links");
    symlinkSync(join(outside, "stolen.yaml"), join(dir, "k8s", "stolen.yaml"));
    symlinkSync(outside, join(dir, "k8s", "elsewhere"));
    symlinkSync("serviceaccount.yaml", join(dir, "k8s", "alias.yaml"));
    symlinkSync("..", join(dir, "k8s", "loop"));
    const r = await runCli(["check", dir, "--format", "json"]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).not.toContain("outside-the-tree");
    expect(notices(r.stderr)).toEqual(
      expect.arrayContaining([
        `azure-auth-gate: notice: ${join(dir, "k8s", "elsewhere")}: skipped: symbolic link to outside the scanned tree, not followed`,
        `azure-auth-gate: notice: ${join(dir, "k8s", "stolen.yaml")}: skipped: symbolic link to outside the scanned tree, not followed`,
      ]),
    );
    const report = JSON.parse(r.stdout) as Report;
    expect(report.metadata.inputs).toContain(join(dir, "k8s", "alias.yaml"));
    expect(report.metadata.inputs?.filter((f) => f.includes("loop"))).toEqual([]);
  });
});
