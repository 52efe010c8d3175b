/** Unusable input → one InputError naming the file (and the line where known); never a stack trace or a secret. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputErrorList } from "../../shared/errors.js";
import { listWorkloads, parseManifests, readManifests } from "../../shared/static/index.js";
import { loadManifestSources } from "../../shared/static/sources.js";
import { inputError, yaml } from "./helpers.js";

const parseText = (text: string, file = "k8s/app.yaml") => parseManifests([{ file, text }]);
const noStdin = () => Promise.reject(new Error("no stdin here"));

describe("bad input", () => {
  it("malformed YAML names file and line, without echoing the source line", async () => {
    const err = await inputError(() =>
      parseText(
        yaml(`
        apiVersion: v1
        kind: Secret
        metadata: {name: s}
        stringData:
          password: "hunter2-do-not-print
        other: [unclosed
      `),
      ),
    );
    expect(err.file).toBe("k8s/app.yaml");
    expect(err.line).toBeGreaterThanOrEqual(5);
    expect(err.oneLine()).toMatch(/^k8s\/app\.yaml:\d+: malformed YAML: /);
    expect(err.oneLine()).not.toContain("hunter2");
  });

  it("duplicate keys are malformed YAML at the duplicate", async () => {
    const err = await inputError(() => parseText("apiVersion: v1\nkind: Pod\nkind: Pod\n"));
    expect(err.oneLine()).toBe("k8s/app.yaml:3: malformed YAML: Map keys must be unique");
  });

  it("an unrendered Helm template says how to render it, at the first template line", async () => {
    const err = await inputError(() =>
      parseText(
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "mysite.fullname" . }}\n',
        "chart/templates/deployment.yaml",
      ),
    );
    expect(err.oneLine()).toBe(
      "chart/templates/deployment.yaml:4: looks like an unrendered Helm template: run `helm template …` and pipe it in (`… | azure-auth-gate check -`)",
    );
  });

  it("finds templates the chart left in objects the gate reads: quoted values, flow maps, and control lines that break YAML", async () => {
    const unrendered = /^chart\.yaml:(\d+): looks like an unrendered Helm template/;
    const quoted = await inputError(() =>
      parseText(
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: "{{ .Values.image }}"\n',
        "chart.yaml",
      ),
    );
    expect(quoted.oneLine()).toMatch(unrendered);
    expect(quoted.line).toBe(9);
    const flow = await inputError(() =>
      parseText("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  labels: {{ .Values.labels }}\n", "chart.yaml"),
    );
    expect(flow.line).toBe(5);
    const control = await inputError(() => parseText("{{- if .Values.migrate.enabled }}\napiVersion: batch/v1\nkind: Job\n", "chart.yaml"));
    expect(control.oneLine()).toMatch(unrendered);
    expect(control.line).toBe(1);
  });

  it("accepts braces that are data in rendered output: alert templates, ConfigMap payloads, annotations", () => {
    const rendered = yaml(`
      apiVersion: monitoring.coreos.com/v1
      kind: PrometheusRule
      metadata: {name: web-alerts}
      spec:
        groups:
          - name: web
            rules:
              - alert: WebDown
                annotations:
                  description: "{{ $labels.instance }} has been down for 5 minutes"
      ---
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: alertmanager-templates}
      data:
        slack.tmpl: |
          {{ define "slack.text" }}{{ .CommonAnnotations.summary }}{{ end }}
      ---
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: web
        annotations:
          example.com/note: "{{ not a template for us }}"
    `);
    expect(parseText(rendered).objects.map((o) => o.kind)).toEqual(["ConfigMap", "ServiceAccount"]);
  });

  it("empty input (no documents in any source) is an error naming the sources", async () => {
    expect((await inputError(() => parseText("# nothing here\n---\n---\n"))).oneLine()).toBe(
      "k8s/app.yaml: no Kubernetes objects in the input (k8s/app.yaml): every document is empty",
    );
    expect(
      (
        await inputError(() =>
          parseManifests([
            { file: "a.yaml", text: "" },
            { file: "<stdin>", text: "\n" },
          ]),
        )
      ).oneLine(),
    ).toBe("no Kubernetes objects in the input (a.yaml, <stdin>): every document is empty");
    expect((await inputError(() => parseManifests([]))).oneLine()).toContain("no manifests given");
  });

  it("binary and non-UTF-8 content is refused", async () => {
    expect((await inputError(() => parseText("apiVersion: v1\n\u0000\u0001\u0002"))).oneLine()).toBe(
      "k8s/app.yaml:2: binary content (NUL byte): not a YAML manifest",
    );
    expect((await inputError(() => parseText("kind: Pod\nname: caf\uFFFD\n", "<stdin>"))).oneLine()).toBe(
      "<stdin>:2: not valid UTF-8 text: manifests must be UTF-8 YAML",
    );
    const dir = mkdtempSync(join(tmpdir(), "aag-static-"));
    const file = join(dir, "latin1.yaml");
    writeFileSync(file, Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0xe9, 0xff, 0x0a]));
    expect((await inputError(() => loadManifestSources([file], noStdin))).oneLine()).toBe(
      `${file}: not UTF-8 text (a binary file?): manifests must be UTF-8 YAML`,
    );
  });

  it("a document that is not a mapping is refused at its line", async () => {
    expect((await inputError(() => parseText("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n- a\n- b\n"))).oneLine()).toBe(
      "k8s/app.yaml:5: a YAML document is a list, not a Kubernetes object (a mapping with apiVersion and kind)",
    );
    expect((await inputError(() => parseText("just a string\n"))).oneLine()).toContain("k8s/app.yaml:1: a YAML document is a plain value");
  });

  it("objects without kind, apiVersion or metadata.name are refused where needed; unknown kinds are skipped", async () => {
    expect((await inputError(() => parseText("apiVersion: v1\nmetadata: {name: a}\n"))).oneLine()).toBe(
      "k8s/app.yaml:1: kind: Kubernetes object has no kind",
    );
    expect((await inputError(() => parseText("kind: Pod\nmetadata: {name: a}\n"))).oneLine()).toBe(
      "k8s/app.yaml:1: apiVersion: Pod object has no apiVersion",
    );
    expect((await inputError(() => parseText("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  namespace: x\n"))).oneLine()).toBe(
      "k8s/app.yaml:3: metadata.name: ServiceAccount has no metadata.name",
    );
    expect((await inputError(() => parseText("apiVersion: v1\nkind: ConfigMap\ndata: {}\n"))).oneLine()).toBe(
      "k8s/app.yaml:1: metadata: ConfigMap has no metadata",
    );
    expect((await inputError(() => parseText("resources:\n  - deployment.yaml\n", "overlays/prod/kustomization.yaml"))).oneLine()).toBe(
      "overlays/prod/kustomization.yaml:1: kind: Kubernetes object has no kind (this is a kustomization: run `kustomize build …` and pipe it in with `-`)",
    );
    expect((await inputError(() => parseText("image:\n  tag: 1.0\n", "chart/values-prod.yaml"))).oneLine()).toContain(
      "(this is part of a Helm chart: run `helm template …`",
    );
    // A Service without a name is not ours to judge: skipped, like every unknown kind.
    expect(
      parseText("apiVersion: v1\nkind: Service\nspec: {}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\n")
        .objects,
    ).toEqual([]);
  });

  it("a pod-template owner without containers is refused at its template", async () => {
    const err = await inputError(() =>
      parseAndList("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {a: b}}\n"),
    );
    expect(err.oneLine()).toMatch(
      /^k8s\/app\.yaml:5: spec\.template\.spec\.containers: Deployment default\/web has no spec\.template\.spec\.containers/,
    );
  });

  it("files refused while modelling (no containers list, a ServiceAccount name no API server accepts) are refused whole beside the rest, as parse-time refusals are", async () => {
    const corpus = join("test", "fixtures", "bad-input", "manifests");
    const noList = join(corpus, "containers-not-list.yaml");
    const shell = join(corpus, "pod-serviceaccount-shell.yaml");
    const malformed = join(corpus, "yaml-unclosed-flow.yaml");
    const good = yaml(`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api, namespace: production}
      spec:
        template:
          metadata: {labels: {azure.workload.identity/use: "true"}}
          spec:
            serviceAccountName: backend
            containers: [{name: api, image: app:1}]
    `);
    // The refused file's ServiceAccount is no more the cluster's than its broken Deployment.
    const withAccount = `apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: backend, namespace: production}\n---\n${readFileSync(shell, "utf8")}`;
    const set = readManifests([
      { file: malformed, text: readFileSync(malformed, "utf8") },
      { file: noList, text: readFileSync(noList, "utf8") },
      { file: "k8s/api.yaml", text: good },
      { file: shell, text: withAccount },
    ]);
    expect(set.refused?.map((e) => e.oneLine())).toEqual([
      expect.stringMatching(new RegExp(`^${malformed}:6: malformed YAML: `)),
      `${noList}:6: spec.template.spec.containers: Deployment default/web has no spec.template.spec.containers: the gate needs fully rendered objects (run \`kustomize build\` / \`helm template\` first)`,
      `${shell}:13: spec.template.spec.serviceAccountName: "a\`id\`" must be an RFC 1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
    ]);
    expect(set.inputs).toEqual(["k8s/api.yaml"]);
    expect(set.objects.map((o) => `${o.file} ${o.kind}`)).toEqual(["k8s/api.yaml Deployment"]);
    expect(listWorkloads(set).map((w) => [w.name, w.serviceAccount])).toEqual([["api", undefined]]);
  });

  it("a file refused while modelling, alone or only beside other refused files, is thrown as a parse-time refusal is", async () => {
    const corpus = join("test", "fixtures", "bad-input", "manifests");
    const read = (...names: string[]) => names.map((n) => ({ file: join(corpus, n), text: readFileSync(join(corpus, n), "utf8") }));
    expect((await inputError(() => readManifests(read("containers-not-list.yaml")))).oneLine()).toMatch(
      /containers-not-list\.yaml:6: spec\.template\.spec\.containers: /,
    );
    expect((await inputError(() => readManifests(read("pod-serviceaccount-shell.yaml")))).oneLine()).toMatch(
      /pod-serviceaccount-shell\.yaml:9: spec\.template\.spec\.serviceAccountName: /,
    );
    const both = await inputError(() => readManifests(read("yaml-unclosed-flow.yaml", "containers-not-list.yaml")));
    expect(both).toBeInstanceOf(InputErrorList);
    expect((both as InputErrorList).errors.map((e) => e.file)).toEqual(
      read("yaml-unclosed-flow.yaml", "containers-not-list.yaml").map((s) => s.file),
    );
  });

  it("huge files are refused before parsing", async () => {
    const big = "# " + "x".repeat(10 * 1024 * 1024) + "\n";
    expect((await inputError(() => parseText(big))).oneLine()).toBe(
      "k8s/app.yaml: larger than 10 MB; split the manifests or check only the app's own objects",
    );
    const dir = mkdtempSync(join(tmpdir(), "aag-static-"));
    const file = join(dir, "big.yaml");
    writeFileSync(file, big);
    expect((await inputError(() => loadManifestSources([file], noStdin))).oneLine()).toBe(
      `${file}: larger than 10 MB; split the manifests or check only the app's own objects`,
    );
  });

  // "Not a hang" is the test's own timeout; what is asserted is that each limit ends the read as an InputError.
  it("absurd nesting and alias bombs end as InputErrors, not a hang or a stack overflow", async () => {
    const deepBlock = Array.from({ length: 400 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n") + " x\n";
    expect(
      (
        await inputError(() =>
          parseText(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata:\n${deepBlock.replace(/^/gm, "  ")}`),
        )
      ).oneLine(),
    ).toMatch(/^k8s\/app\.yaml:\d+: YAML nested more than 128 levels deep/);
    const deepFlow = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + "[".repeat(5000) + "]".repeat(5000) + "\n";
    expect((await inputError(() => parseText(deepFlow))).oneLine()).toMatch(
      /^k8s\/app\.yaml:\d+: malformed YAML: nested too deeply to read$/,
    );
    const laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++)
      laughs.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    const bomb = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\n${laughs.join("\n")}\n`;
    expect((await inputError(() => parseText(bomb))).oneLine()).toMatch(
      /^k8s\/app\.yaml:\d+: YAML aliases expand to more than 100000 nodes/,
    );
  }, 15_000);

  it("missing paths and directories without YAML are errors naming the path", async () => {
    expect((await inputError(() => loadManifestSources(["k8s/does-not-exist.yaml"], noStdin))).oneLine()).toBe(
      "k8s/does-not-exist.yaml: no such file or directory",
    );
    const dir = mkdtempSync(join(tmpdir(), "aag-static-"));
    writeFileSync(join(dir, "README.md"), "# not yaml\n");
    expect((await inputError(() => loadManifestSources([dir], noStdin))).oneLine()).toBe(
      `${dir}: no *.yaml or *.yml files in this directory`,
    );
  });
});

async function parseAndList(text: string): Promise<unknown> {
  const { listWorkloads } = await import("../../shared/static/index.js");
  return listWorkloads(parseText(text));
}
