/**
 * Charts and overlays in a scanned directory are rendered the way they are deployed. Kustomize runs for
 * real (this machine's kubectl has it built in); helm is not installed here, so a stand-in `helm` on a
 * temporary PATH prints what helm 3 prints for the fixture chart (test/fixtures/repos/chart/README.md, output in helm-output/)
 * and records how it was called. What the renderers read is untrusted: remote bases and exec functions
 * never run, and a listener on 127.0.0.1 proves nothing was fetched.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configHelm } from "../../shared/cli/helm-config.js";
import type { Report } from "../../shared/findings/model.js";
import { templateLine } from "../../shared/static/render.js";
import { runCli } from "../cli/run-in-process.js";

const KUSTOMIZE = join("test", "fixtures", "repos", "kustomize");
const CHART_REPO = join("test", "fixtures", "repos", "chart");
const CHART = join(CHART_REPO, "deploy", "mysite");
const tmp = mkdtempSync(join(tmpdir(), "aag-render-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const withPath = { env: { PATH: process.env.PATH } };
const json = (stdout: string) => JSON.parse(stdout) as Report;
const where = (r: Report) =>
  r.findings.map((f) => `${f.id} ${f.target.namespace}/${f.target.name} ${f.location?.file}:${f.location?.line}`);

describe("kustomize (the real kubectl kustomize)", () => {
  it("builds every overlay once, skips the base with a notice, and points findings at the base's own lines", async () => {
    const r = await runCli(["check", KUSTOMIZE, "--format", "json"], withPath);
    expect(r.code, r.stderr).toBe(1);
    const report = json(r.stdout);
    // Staging forgot the pod label: the finding names the renamed object and the base file that holds the label block.
    expect(where(report)).toEqual(expect.arrayContaining([`AG104 staging/staging-web ${join(KUSTOMIZE, "base", "deployment.yaml")}:12`]));
    // Production patches the label in: nothing about it.
    expect(report.findings.filter((f) => f.target.namespace === "production")).toEqual([]);
    expect(report.metadata.inputs).toEqual([
      `${join(KUSTOMIZE, "overlays", "production")} (kubectl kustomize)`,
      `${join(KUSTOMIZE, "overlays", "staging")} (kubectl kustomize)`,
    ]);
    expect(r.stderr).toContain(
      `notice: ${join(KUSTOMIZE, "base")}: skipped: kustomize base, checked as part of ${join(KUSTOMIZE, "overlays", "production")}, ${join(KUSTOMIZE, "overlays", "staging")}`,
    );
  });

  it("without kustomize or kubectl on PATH: skipped with the exact command to pipe in", async () => {
    const r = await runCli(["check", join(KUSTOMIZE, "overlays", "staging")], { env: {} });
    expect(r.code).toBe(2); // nothing left to check
    expect(r.stderr).toContain(
      `kustomization, and neither kustomize nor kubectl is on PATH: build it yourself with \`kustomize build ${join(KUSTOMIZE, "overlays", "staging")} | azure-auth-gate check -\``,
    );
  });

  describe("untrusted kustomizations", () => {
    let server: Server;
    let port = 0;
    const requests: string[] = [];
    beforeAll(async () => {
      server = createServer((req, res) => {
        requests.push(`${req.method} ${req.url}`);
        res.end("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: fetched}\n");
      });
      await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((done) => server.close(() => done())));

    it("a remote resource or base is refused before kustomize runs: the listener receives nothing; the rest is still checked", async () => {
      const dir = join(tmp, "remote");
      mkdirSync(join(dir, "overlay"), { recursive: true });
      mkdirSync(join(dir, "git-overlay"), { recursive: true });
      writeFileSync(join(dir, "overlay", "kustomization.yaml"), `resources:\n  - http://127.0.0.1:${port}/base.yaml\n`);
      writeFileSync(join(dir, "git-overlay", "kustomization.yaml"), "resources:\n  - github.com/contoso/platform//base?ref=v1\n");
      writeFileSync(join(dir, "sa.yaml"), "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: local}\n");
      const r = await runCli(["check", dir], withPath);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `${join(dir, "overlay", "kustomization.yaml")}: refers to a remote base (http://127.0.0.1:${port}/base.yaml): the gate never fetches what a repository points at`,
      );
      expect(r.stderr).toContain(
        `${join(dir, "git-overlay", "kustomization.yaml")}: refers to a remote base (github.com/contoso/platform//base?ref=v1)`,
      );
      expect(r.stdout).toContain("1 manifest file");
      expect(requests).toEqual([]);
    });

    it("an exec KRM function never runs (no --enable-alpha-plugins): the overlay is refused, the marker never written", async () => {
      const dir = join(tmp, "exec-fn");
      mkdirSync(dir, { recursive: true });
      const marker = join(tmp, "exec-fn-ran");
      writeFileSync(join(dir, "pwn.sh"), `#!/bin/sh\necho ran > ${marker}\n`);
      chmodSync(join(dir, "pwn.sh"), 0o755);
      writeFileSync(
        join(dir, "fn.yaml"),
        "apiVersion: example.com/v1\nkind: Pwn\nmetadata:\n  name: pwn\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./pwn.sh\n",
      );
      writeFileSync(join(dir, "sa.yaml"), "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web}\n");
      writeFileSync(join(dir, "kustomization.yaml"), "resources: [sa.yaml]\ntransformers: [fn.yaml]\n");
      const r = await runCli(["check", dir], withPath);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^azure-auth-gate: ${join(dir, "kustomization.yaml")}: kubectl kustomize failed: `, "m"));
      expect(existsSync(marker)).toBe(false);
    });

    it("a kustomization with a link out of the scanned tree is not built at all", async () => {
      const dir = join(tmp, "link-out");
      mkdirSync(join(dir, "app"), { recursive: true });
      writeFileSync(join(tmp, "secret-elsewhere.yaml"), "apiVersion: v1\nkind: Secret\nmetadata: {name: elsewhere}\nstringData: {k: v}\n");
      symlinkSync(join(tmp, "secret-elsewhere.yaml"), join(dir, "app", "secret.yaml"));
      writeFileSync(join(dir, "app", "kustomization.yaml"), "resources: [secret.yaml]\n");
      const r = await runCli(["check", dir], withPath);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        `${join(dir, "app")}: not rendered: ${join(dir, "app", "secret.yaml")} is a symbolic link to outside the scanned tree`,
      );
    });
  });
});

/** A stand-in `helm` (shell builtins only: the renderer runs with an empty PATH) that prints the fixture's output. */
function fakeHelm(name: string, body: "render" | "fail"): { dir: string; args: string; env: string } {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  const args = join(dir, "args.txt");
  const env = join(dir, "env.txt");
  const rendered = resolve("test", "fixtures", "repos", "helm-output", "mysite-prod.yaml");
  const script =
    body === "render"
      ? `#!/bin/sh\nprintf '%s\\n' "$@" > ${args}\nprintf 'PATH=%s\\nKUBECONFIG=%s\\nHELM_PLUGINS=%s\\nSECRET=%s\\n' "$PATH" "$KUBECONFIG" "$HELM_PLUGINS" "$AZURE_CLIENT_SECRET" > ${env}\nwhile IFS= read -r line || [ -n "$line" ]; do printf '%s\\n' "$line"; done < ${rendered}\n`
      : `#!/bin/sh\nprintf 'Error: parse error at (mysite/templates/deployment.yaml:9): function "nope" not defined\\n' >&2\nexit 1\n`;
  writeFileSync(join(dir, "helm"), script);
  chmodSync(join(dir, "helm"), 0o755);
  return { dir, args, env };
}

describe("helm template", () => {
  it("renders the chart with release, namespace and values from the flags; findings point at the template lines", async () => {
    const helm = fakeHelm("helm-ok", "render");
    const r = await runCli(
      [
        "check",
        CHART_REPO,
        "--format",
        "json",
        "--helm-release",
        "web",
        "--helm-namespace",
        "production",
        "--helm-values",
        join(CHART, "values-prod.yaml"),
      ],
      {
        env: { PATH: helm.dir, AZURE_CLIENT_SECRET: "must-not-reach-helm" },
      },
    );
    expect(r.code, r.stderr).toBe(1);
    const report = json(r.stdout);
    expect(where(report)).toEqual([`AG104 production/web-mysite ${join(CHART, "templates", "deployment.yaml")}:15`]);
    expect(report.metadata.inputs).toEqual([`${CHART} (helm template)`]);
    expect(readFileSync(helm.args, "utf8").trimEnd().split("\n")).toEqual([
      "template",
      "web",
      resolve(CHART),
      "--namespace",
      "production",
      "--values",
      resolve(CHART, "values-prod.yaml"),
    ]);
    // The chart's directory is the renderer's whole world: no PATH, no kubeconfig, no plugins, none of the user's secrets.
    const env = readFileSync(helm.env, "utf8");
    expect(env).toContain("PATH=\n");
    expect(env).toContain("SECRET=\n");
    expect(env).toMatch(/KUBECONFIG=\/.*aag-render-.*no-kubeconfig/);
  });

  it("without helm on PATH: a notice naming the exact command, with the user's release, namespace and values", async () => {
    const r = await runCli(
      ["check", CHART, "--helm-release", "web", "--helm-namespace", "production", "--helm-values", join(CHART, "values-prod.yaml")],
      { env: {} },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `Helm chart, and helm is not on PATH: render it yourself with \`helm template web ${CHART} --namespace production --values ${join(CHART, "values-prod.yaml")} | azure-auth-gate check -\``,
    );
  });

  it("a chart helm cannot render is refused with helm's own line; the other files are still checked", async () => {
    const helm = fakeHelm("helm-fail", "fail");
    const dir = join(tmp, "repo-with-broken-chart");
    mkdirSync(join(dir, "chart", "templates"), { recursive: true });
    writeFileSync(join(dir, "chart", "Chart.yaml"), "apiVersion: v2\nname: mysite\nversion: 0.1.0\n");
    writeFileSync(join(dir, "sa.yaml"), "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web}\n");
    const r = await runCli(["check", dir], { env: { PATH: helm.dir } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `azure-auth-gate: ${join(dir, "chart")}: helm template failed: Error: parse error at (mysite/templates/deployment.yaml:9): function "nope" not defined`,
    );
    expect(r.stdout).toContain("1 manifest file");
  });

  it("values files from a config stay inside the config's directory and are never URLs", async () => {
    const dir = join(tmp, "config-helm");
    mkdirSync(join(dir, "deploy"), { recursive: true });
    writeFileSync(join(dir, "deploy", "values-prod.yaml"), "replicaCount: 3\n");
    writeFileSync(join(tmp, "outside-values.yaml"), "x: 1\n");
    symlinkSync(join(tmp, "outside-values.yaml"), join(dir, "deploy", "linked.yaml"));
    const base = "tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47\nsubscriptions: [11111111-1111-1111-1111-111111111111]\n";
    writeFileSync(join(dir, "ok.yml"), `${base}helm: { releaseName: web, namespace: production, values: [deploy/values-prod.yaml] }\n`);
    expect(await configHelm(join(dir, "ok.yml"))).toEqual({
      releaseName: "web",
      namespace: "production",
      values: [join(dir, "deploy", "values-prod.yaml")],
    });
    writeFileSync(join(dir, "up.yml"), `${base}helm: { values: [../outside-values.yaml] }\n`);
    await expect(configHelm(join(dir, "up.yml"))).rejects.toThrow(/must be a relative path inside the config's directory/);
    writeFileSync(join(dir, "url.yml"), `${base}helm: { values: ["https://127.0.0.1:1/values.yaml"] }\n`);
    await expect(configHelm(join(dir, "url.yml"))).rejects.toThrow(/must be a local file, not a URL/);
    writeFileSync(join(dir, "link.yml"), `${base}helm: { values: [deploy/linked.yaml] }\n`);
    await expect(configHelm(join(dir, "link.yml"))).rejects.toThrow(/leads outside the config's directory/);
  });

  it("maps a rendered line to its template line by text, else by key nearest the same offset", () => {
    const template = [
      "metadata:",
      "  labels:",
      '    {{- include "x" . | nindent 4 }}',
      "spec:",
      "  template:",
      "    metadata:",
      "      labels:",
      "        app: web",
    ];
    expect(templateLine(template, "        app: web", 9)).toBe(8);
    expect(templateLine(template, "      labels:", 9)).toBe(7);
    expect(templateLine(template, "  labels:", 1)).toBe(2);
    expect(templateLine(template, "    nothing: here", 3)).toBe(1);
  });
});
