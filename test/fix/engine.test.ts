/**
 * Round trips of `planFixes` on realistic manifests (Helm-rendered multi-document output with
 * `# Source:` comments, AAD Pod Identity, the Django examples): check → fix → check shows none of the
 * fixed findings, every byte outside the edited lines is unchanged (the change blocks below are the
 * whole difference), and a second run changes nothing.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { planFixes, type FixConfig } from "../../shared/fix/index.js";
import { changeBlocks, splitLines } from "../../shared/fix/diff.js";
import { checkManifests, parseManifests } from "../../shared/static/index.js";
import { targetKey, type Finding } from "../../shared/findings/model.js";

const FIXTURES = "test/fixtures/fix";
const read = (path: string) => readFileSync(path, "utf8");
const ids = (file: string, text: string) =>
  checkManifests(parseManifests([{ file, text }]))
    .map((f) => f.id)
    .sort();
const WORKER_ID = "9e1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d";
const CONFIG: FixConfig = { targets: [{ workload: "shop/Deployment/mysite-worker", clientId: WORKER_ID }] };

/** Fixes one file and checks the invariants every fix must keep; returns the new text. */
function roundTrip(file: string, text: string, config?: FixConfig) {
  const outcome = planFixes([{ file, text }], config);
  const after = outcome.changes[0]?.after ?? text;
  // Idempotent: a second run on the result changes nothing.
  expect(planFixes([{ file, text: after }], config).changes).toEqual([]);
  // `check` after the fix reports none of the findings the fix claims to have fixed.
  const findings = checkManifests(parseManifests([{ file, text: after }]));
  const key = (f: Finding) => `${f.id} ${targetKey(f.target)}`;
  for (const f of outcome.fixed) expect(findings.map(key)).not.toContain(key(f));
  return { outcome, after, left: findings.map((f) => f.id).sort() };
}

describe("Helm-rendered chart (multi-document, # Source comments)", () => {
  const file = `${FIXTURES}/helm-rendered.yaml`;
  const text = read(file);

  it("fixes AG104, AG105 (client id from the config), AG109, AG102 and the migrate hook, touching only those lines", () => {
    expect(ids(file, text)).toEqual(["AG102", "AG102", "AG104", "AG105", "AG109", "AG109"]);
    const { outcome, after, left } = roundTrip(file, text, CONFIG);
    expect(left).toEqual([]);
    expect(outcome.remaining).toEqual([]);
    // The whole difference, line by line: everything else (comments, order, quoting, indentation) is byte-identical.
    expect(changeBlocks(text, after)).toEqual([
      { oldStart: 22, oldCount: 0, newStart: 22, newLines: ["  annotations:", `    azure.workload.identity/client-id: "${WORKER_ID}"`] },
      { oldStart: 44, oldCount: 0, newStart: 46, newLines: ['        azure.workload.identity/use: "true"'] },
      { oldStart: 53, oldCount: 2, newStart: 56, newLines: [] },
      { oldStart: 95, oldCount: 0, newStart: 96, newLines: ['        azure.workload.identity/use: "true"'] },
      { oldStart: 96, oldCount: 0, newStart: 98, newLines: ["      serviceAccountName: mysite"] },
      { oldStart: 105, oldCount: 4, newStart: 108, newLines: [] },
      // AG109: the single-quoted value stays single-quoted, its comment-free line otherwise intact.
      { oldStart: 132, oldCount: 1, newStart: 131, newLines: ["                  value: '5d1e8f3a-92b4-4c07-a6d5-0f3e2b8c7a14'"] },
    ]);
    const lines = splitLines(text);
    // What was removed: the stale client id of the web pods (AG102 once the label wires Workload
    // Identity) and the migrate hook's leftover service-principal env.
    expect(lines.slice(52, 54).join("\n")).toContain("0b7d4c2e-1111-4a5b-8c9d-2e3f4a5b6c7d");
    expect(lines.slice(104, 108).join("\n")).toMatch(/AZURE_TENANT_ID[\s\S]*AZURE_CLIENT_ID/);
    expect(after).toContain("# Left over from the service-principal days.");
    expect(after).toContain("app.kubernetes.io/component: web   # keep this comment");
  });

  it("never invents a client id: without the config AG105 stays a TODO and the ServiceAccount is untouched", () => {
    const { outcome, after } = roundTrip(file, text);
    expect(outcome.remaining.map((r) => r.finding.id)).toEqual(["AG105"]);
    expect(outcome.remaining[0]?.reason).toMatch(/client id of ServiceAccount shop\/mysite-worker is not known: add `clientId`/);
    expect(after).not.toMatch(/mysite-worker\n {2}namespace: shop\n {2}labels:\n {4}app.kubernetes.io\/instance: mysite\n {2}annotations/);
  });

  it("keeps CRLF line endings", () => {
    const crlf = text.replace(/\n/g, "\r\n");
    const { after } = roundTrip(file, crlf, CONFIG);
    expect(after.replace(/\r\n/g, "\n")).toBe(planFixes([{ file, text }], CONFIG).changes[0]?.after);
    expect(after.replace(/\r\n/g, "")).not.toContain("\n");
  });
});

describe("AAD Pod Identity → Workload Identity (AG103)", () => {
  const file = `${FIXTURES}/pod-identity.yaml`;

  it("swaps the label, adds a ServiceAccount with the AzureIdentity's clientID, deletes the used CRDs and keeps the rest", () => {
    const { outcome, after, left } = roundTrip(file, read(file));
    expect(after).toBe(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: billing-api
  namespace: billing
  annotations:
    azure.workload.identity/client-id: "7a4f2c19-0b3e-4d58-9c61-2e8d5f1a3b70"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: billing-api
  namespace: billing
spec:
  replicas: 3
  selector:
    matchLabels:
      app: billing-api
  template:
    metadata:
      labels:
        app: billing-api
        azure.workload.identity/use: "true"
    spec:
      serviceAccountName: billing-api
      containers:
        - name: api
          image: myregistry.azurecr.io/billing-api:v3
---
# Nothing in these manifests uses this one: it may serve pods elsewhere.
apiVersion: aadpodidentity.k8s.io/v1
kind: AzureIdentityBinding
metadata:
  name: reports-binding
  namespace: billing
spec:
  azureIdentity: reports-identity
  selector: reports
`);
    // The binding nobody here uses may serve pods elsewhere: a TODO, not a deletion.
    expect(left).toEqual(["AG103"]);
    expect(outcome.remaining[0]?.reason).toMatch(/may still serve pods/);
    expect(outcome.followUps[0]).toContain("--identity-name id-billing --resource-group rg-billing");
    expect(outcome.followUps[0]).toContain("--subject system:serviceaccount:billing:billing-api");
  });

  it("never invents a namespace: a workload without one gets a ServiceAccount without one (seed-003)", () => {
    const seed = "test/fixtures/manifests/seed-003-pod-identity.yaml";
    const { after, left } = roundTrip(seed, read(seed));
    expect(left).toEqual([]);
    expect(
      after.startsWith(
        'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: my-app\n  annotations:\n    azure.workload.identity/client-id: "7a4f2c19-0b3e-4d58-9c61-2e8d5f1a3b70"\n---\n',
      ),
    ).toBe(true);
    expect(after).not.toContain("namespace:");
  });

  it("changes nothing when the AzureIdentity is not in the input (the client id is unknown)", () => {
    const text = read(file).split("---\n").slice(1).join("---\n");
    const outcome = planFixes([{ file, text }]);
    expect(outcome.changes).toEqual([]);
    expect(outcome.remaining.find((r) => r.finding.target.kind === "Deployment")?.reason).toMatch(/client id to federate is unknown/);
  });
});

describe("shapes the fix refuses to guess at", () => {
  it("flow-style labels: a TODO naming why, and the file unchanged", () => {
    const text = [
      "apiVersion: v1",
      "kind: ServiceAccount",
      "metadata: { name: api, namespace: prod, annotations: { azure.workload.identity/client-id: 3f8c2a91-6d0e-4b7a-9e15-2c4d8b7a1f60 } }",
      "---",
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata: { name: api, namespace: prod }",
      "spec:",
      "  template:",
      "    metadata:",
      "      labels: { app: api }",
      "    spec:",
      "      serviceAccountName: api",
      "      containers: [{ name: api, image: 'x:1' }]",
      "",
    ].join("\n");
    const outcome = planFixes([{ file: "flow.yaml", text }]);
    expect(outcome.changes).toEqual([]);
    expect(outcome.remaining.map((r) => [r.finding.id, r.reason])).toEqual([
      ["AG104", "cannot edit it safely: the map is written in flow style ({…}) or uses merge keys"],
    ]);
  });

  it("adds the whole metadata.labels path when the pod template has none, at the file's own indentation (4 spaces)", () => {
    const text = [
      "apiVersion: v1",
      "kind: ServiceAccount",
      "metadata:",
      "    name: api",
      "    annotations:",
      '        azure.workload.identity/client-id: "3f8c2a91-6d0e-4b7a-9e15-2c4d8b7a1f60"',
      "---",
      "apiVersion: batch/v1",
      "kind: Job",
      "metadata:",
      "    name: once",
      "spec:",
      "    template:",
      "        spec:",
      "            serviceAccountName: api",
      "            containers:",
      "                - name: once",
      "                  image: x:1",
      "",
    ].join("\n");
    const { after, left } = roundTrip("indent.yaml", text);
    expect(left).toEqual([]);
    expect(changeBlocks(text, after)).toEqual([
      {
        oldStart: 14,
        oldCount: 0,
        newStart: 14,
        newLines: ["        metadata:", "            labels:", '                azure.workload.identity/use: "true"'],
      },
    ]);
  });
});

describe("the Django examples", () => {
  it("examples/django-broken: AG102, AG104 and AG110 are fixed and the result checks clean", () => {
    const dir = "examples/django-broken";
    const names = ["configmap.yaml", "deployment-web.yaml", "deployment-worker.yaml", "job-migrate.yaml", "serviceaccount.yaml"];
    const sources = names.map((n) => ({ file: `${dir}/${n}`, text: read(`${dir}/${n}`) }));
    const outcome = planFixes(sources);
    expect([...new Set(outcome.fixed.map((f) => f.id))].sort()).toEqual(["AG102", "AG104", "AG110"]);
    const after = sources.map((s) => ({ file: s.file, text: outcome.changes.find((c) => c.file === s.file)?.after ?? s.text }));
    expect(checkManifests(parseManifests(after))).toEqual([]);
    expect(planFixes(after).changes).toEqual([]);
    expect(outcome.changes.map((c) => c.file).sort()).toEqual([`${dir}/deployment-worker.yaml`, `${dir}/job-migrate.yaml`]);
  });
});
