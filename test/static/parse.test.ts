/** Reading manifests: multi-document files, `kind: List`, directories, stdin, line maps, aliases, defaults. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkManifests, listWorkloads, parseManifests } from "../../shared/static/index.js";
import { loadManifestSources } from "../../shared/static/sources.js";
import { only, parse, yaml } from "./helpers.js";

describe("parseManifests", () => {
  it('keeps each object\'s file, line, kind, name and namespace (default: "default")', () => {
    const set = parse(
      `
      # leading comment
      apiVersion: v1
      kind: ServiceAccount
      metadata: {name: web, namespace: shop}
      ---
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: worker
    `,
      "k8s/sa.yaml",
    );
    expect(set.inputs).toEqual(["k8s/sa.yaml"]);
    expect(set.objects.map((o) => [o.file, o.line, o.kind, o.namespace, o.name])).toEqual([
      ["k8s/sa.yaml", 2, "ServiceAccount", "shop", "web"],
      ["k8s/sa.yaml", 6, "ServiceAccount", "default", "worker"],
    ]);
  });

  it("reads `kind: List` (kubectl get -o yaml) and typed lists whose items omit kind", () => {
    const set = parse(`
      apiVersion: v1
      kind: List
      items:
        - apiVersion: v1
          kind: ServiceAccount
          metadata: {name: a}
        - apiVersion: v1
          kind: ConfigMap
          metadata: {name: b}
      ---
      apiVersion: v1
      kind: ServiceAccountList
      items:
        - metadata: {name: c}
    `);
    expect(set.objects.map((o) => [o.kind, o.name, o.line])).toEqual([
      ["ServiceAccount", "a", 4],
      ["ConfigMap", "b", 7],
      ["ServiceAccount", "c", 14],
    ]);
  });

  it("expands anchors, aliases and merge keys, keeping the lines where keys are written", () => {
    const set = parse(`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        template:
          spec:
            containers:
              - name: web
                image: web:1
                env: &azure
                  - name: AZURE_TENANT_ID
                    value: 1bb287c4-8e33-476f-bf7b-a5e274c5b0e6
                  - name: AZURE_CLIENT_ID
                    value: 0b1c2d3e-4f50-4617-8a9b-0c1d2e3f4a5b
              - name: sidecar
                image: side:1
                env: *azure
    `);
    const found = only(checkManifests(set), "AG102");
    // Both containers have the leftover tenant and client id; the alias's copy points at the line where it is written.
    expect(found.map((f) => [f.evidence.split(" sets")[0], f.location?.line])).toEqual([
      ["container web", 12],
      ["container sidecar", 12],
    ]);
    const merged = parse(`
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        <<: {name: from-merge, namespace: shop}
        namespace: explicit
    `);
    expect(merged.objects.map((o) => [o.name, o.namespace])).toEqual([["from-merge", "explicit"]]);
  });

  it("accepts generateName for Jobs and Pods", () => {
    const set = parse(`
      apiVersion: batch/v1
      kind: Job
      metadata: {generateName: migrate-}
      spec: {template: {spec: {containers: [{name: m, image: i}]}}}
    `);
    expect(listWorkloads(set).map((w) => w.name)).toEqual(["migrate-"]);
  });
});

describe("listWorkloads", () => {
  it("describes each pod: template labels, owner labels, ServiceAccount, containers, images, env without secrets", () => {
    const set = parse(`
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: web
        annotations: {azure.workload.identity/client-id: "3f8c2a91-6d0e-4b7a-9e15-2c4d8b7a1f60"}
      ---
      apiVersion: apps/v1
      kind: StatefulSet
      metadata: {name: web, labels: {tier: web}}
      spec:
        template:
          metadata:
            labels: {app: web, azure.workload.identity/use: "true"}
          spec:
            serviceAccountName: web
            initContainers:
              - {name: wait, image: "busybox:1.36"}
            containers:
              - name: web
                image: registry.example.com/web@sha256:0123
                env:
                  - {name: AZURE_CLIENT_SECRET, value: not-kept-anywhere}
                  - {name: AZURE_STORAGE_ACCOUNT_NAME, value: stmedia}
                  - {name: DATABASE_PASSWORD, value: also-not-kept}
    `);
    const [w] = listWorkloads(set);
    expect(w).toMatchObject({
      kind: "StatefulSet",
      name: "web",
      namespace: "default",
      isApp: true,
      isMigration: false,
      ownerLabels: { tier: "web" },
      podLabels: { app: "web", "azure.workload.identity/use": "true" },
      wiLabelled: true,
      serviceAccountName: "web",
      serviceAccountExplicit: true,
      serviceAccount: { clientId: "3f8c2a91-6d0e-4b7a-9e15-2c4d8b7a1f60", clientIdLine: 5 },
      images: ["busybox:1.36", "registry.example.com/web@sha256:0123"],
      locations: { object: 7, template: 11, podLabels: 13, wiLabel: 13, serviceAccountName: 15, podSpec: 14 },
    });
    expect(w?.containers.map((c) => [c.name, c.init])).toEqual([
      ["wait", true],
      ["web", false],
    ]);
    const env = w?.containers[1]?.env.effective;
    expect(env?.get("AZURE_STORAGE_ACCOUNT_NAME")?.source).toEqual({ kind: "literal", length: 7, value: "stmedia" });
    expect(env?.get("AZURE_CLIENT_SECRET")?.source).toEqual({
      kind: "literal",
      length: 17,
      credential: "a credential",
      family: "identity",
    });
    expect(env?.get("DATABASE_PASSWORD")?.source).toEqual({ kind: "literal", length: 13 });
    expect(JSON.stringify(listWorkloads(set))).not.toContain("not-kept-anywhere");
    expect(JSON.stringify(listWorkloads(set))).not.toContain("also-not-kept");
  });

  it("resolves env precedence: envFrom in order, then env; later wins", () => {
    const [w] = listWorkloads(
      parse(`
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: one}
        data: {AZURE_CLIENT_ID: from-one, X: "1"}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: two}
        data: {AZURE_CLIENT_ID: from-two}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: c
              envFrom:
                - configMapRef: {name: one}
                - configMapRef: {name: two}
                - prefix: OPT_
                  configMapRef: {name: missing, optional: true}
              env:
                - {name: X, value: "2"}
      `),
    );
    const env = w?.containers[0]?.env;
    expect(env?.effective.get("AZURE_CLIENT_ID")?.source).toMatchObject({ kind: "configMap", name: "two", value: "from-two" });
    expect(env?.effective.get("X")?.source).toMatchObject({ kind: "literal", value: "2" });
    expect(env?.open).toEqual([{ kind: "configMap", name: "missing", line: 21, optional: true }]);
  });
});

describe("loadManifestSources", () => {
  it("reads files, directories (recursive *.yaml/*.yml, sorted, skipping dot-dirs) and stdin once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aag-src-"));
    mkdirSync(join(dir, "b"));
    mkdirSync(join(dir, ".github"));
    writeFileSync(join(dir, "b", "z.yml"), "kind: Z\n");
    writeFileSync(join(dir, "a.yaml"), "kind: A\n");
    writeFileSync(join(dir, "notes.txt"), "not yaml\n");
    writeFileSync(join(dir, ".github", "ci.yml"), "on: push\n");
    let reads = 0;
    const sources = await loadManifestSources([dir, "-", "-"], async () => {
      reads++;
      return "kind: S\n";
    });
    expect(sources).toEqual([
      // Found by the walk (not named): YAML that is no Kubernetes object is skipped, not refused.
      { file: join(dir, "a.yaml"), text: "kind: A\n", found: true },
      { file: join(dir, "b", "z.yml"), text: "kind: Z\n", found: true },
      { file: "<stdin>", text: "kind: S\n" },
    ]);
    expect(reads).toBe(1);
  });

  it("names <stdin> in findings read from stdin", () => {
    const set = parseManifests([
      {
        file: "<stdin>",
        text: yaml(`
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate}
      spec:
        template:
          spec:
            serviceAccountName: migrator
            containers: [{name: m, image: i}]
    `),
      },
    ]);
    expect(checkManifests(set).map((f) => f.location)).toEqual([{ file: "<stdin>", line: 7 }]);
  });
});
