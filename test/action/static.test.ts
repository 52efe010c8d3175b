/**
 * The Action as a pull-request check (static mode, no Azure login) and the reporting edges: annotations
 * on manifest lines, a report too large for one PR comment, the comment going away when the verdict
 * turns pass, and `subscription-id` standing in for the config's subscriptions.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { markerFor } from "../../action/comment.js";
import { PR_COMMENT_LIMIT } from "../../shared/report/index.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { runnerEnv, scenario, step, workspace, type Workspace } from "./action-runner.js";

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox(scenario(), { azurite: false });
});

afterAll(async () => {
  await sb?.stop();
});

const STATIC = { "client-id": "", mode: "", comment: "true" };
const sticky = (key: string) => sb.state.github!.comments.filter((c) => c.body.startsWith(markerFor(key)));

/** Drops the Workload Identity pod label from the app's Deployment (AG104), returning the label's line. */
function unlabel(ws: Workspace): void {
  const file = path.join(ws.dir, "k8s", "backend.yaml");
  writeFileSync(file, readFileSync(file, "utf8").replace('azure.workload.identity/use: "true"', 'tier: "web"'));
}

/** `count` Deployments under the annotated ServiceAccount, none labelled: one AG104 each. */
function manyUnlabelled(ws: Workspace, count: number): void {
  const docs = Array.from({ length: count }, (_, i) =>
    [
      "apiVersion: apps/v1",
      "kind: Deployment",
      `metadata: { name: worker-${i}, namespace: app }`,
      "spec:",
      "  template:",
      "    metadata: { labels: { app: worker } }",
      "    spec:",
      "      serviceAccountName: backend",
      "      containers: [{ name: w, image: sandbox/django-app:1 }]",
    ].join("\n"),
  );
  writeFileSync(path.join(ws.dir, "k8s", "workers.yaml"), `${docs.join("\n---\n")}\n`);
}

describe("static mode (the pull-request check)", () => {
  it("needs no client id, annotates the manifest line, and comments", async () => {
    const ws = workspace(sb);
    unlabel(ws);
    const s = await step(ws, runnerEnv(sb, ws, { idToken: false, inputs: { ...STATIC, "comment-key": "pr-check" } }));
    expect(s.result?.report.metadata.layers).toEqual(["static"]);
    const ag104 = s.result?.report.findings.find((f) => f.id === "AG104");
    expect(ag104?.location?.file).toBe("k8s/backend.yaml");
    expect(s.stdout).toContain(`::error title=Azure Auth Gate AG104,file=k8s/backend.yaml,line=${ag104?.location?.line}::AG104`);
    expect(s.exitCode).toBe(1);
    expect(sticky("pr-check")).toHaveLength(1);
    expect(sb.log.count({ service: "entra" })).toBe(0);
  });

  it("manifests (a glob) with other tools' YAML and one broken file: notices, the broken file as an error annotation, the rest still reported, the step failed", async () => {
    const ws = workspace(sb);
    writeFileSync(path.join(ws.dir, "k8s", "values-redis.yaml"), "architecture: standalone\nauth: { enabled: true }\n");
    writeFileSync(path.join(ws.dir, "k8s", "compose.yaml"), "services:\n  web: { build: . }\n");
    writeFileSync(path.join(ws.dir, "k8s", "broken.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: [unclosed\n");
    const s = await step(ws, runnerEnv(sb, ws, { idToken: false, inputs: { ...STATIC, comment: "false" } }));
    expect(s.stdout).toContain("::notice::k8s/values-redis.yaml: skipped: not a Kubernetes object (Helm values)");
    expect(s.stdout).toContain("::notice::k8s/compose.yaml: skipped: not a Kubernetes object (a Compose file)");
    expect(s.stdout).toMatch(/::error file=k8s\/broken\.yaml,line=\d+::k8s\/broken\.yaml:\d+: malformed YAML/);
    expect(s.result?.report.metadata.refusedInputs).toHaveLength(1);
    expect(s.result?.report.metadata.inputs).toContain("k8s/backend.yaml");
    expect(s.result?.failed).toBe(true);
    expect(s.exitCode).toBe(1);
  });

  it("a manifest refused while modelling (no containers list, a shell in serviceAccountName): an error annotation each, the rest still reported, the step failed", async () => {
    const ws = workspace(sb);
    const corpus = path.join(process.cwd(), "test", "fixtures", "bad-input", "manifests");
    for (const name of ["containers-not-list.yaml", "pod-serviceaccount-shell.yaml"])
      writeFileSync(path.join(ws.dir, "k8s", name), readFileSync(path.join(corpus, name), "utf8"));
    const s = await step(ws, runnerEnv(sb, ws, { idToken: false, inputs: { ...STATIC, comment: "false" } }));
    expect(s.stdout).toContain(
      "::error file=k8s/containers-not-list.yaml,line=6::k8s/containers-not-list.yaml:6: spec.template.spec.containers: Deployment default/web has no spec.template.spec.containers",
    );
    expect(s.stdout).toMatch(
      /::error file=k8s\/pod-serviceaccount-shell\.yaml,line=9::k8s\/pod-serviceaccount-shell\.yaml:9: spec\.template\.spec\.serviceAccountName: /,
    );
    expect(s.result?.report.metadata.refusedInputs).toHaveLength(2);
    expect(s.result?.report.metadata.inputs).toContain("k8s/backend.yaml");
    expect(s.result?.report.metadata.inputs).not.toContain("k8s/containers-not-list.yaml");
    expect(s.result?.failed).toBe(true);
    expect(s.exitCode).toBe(1);
  });

  it("a report larger than a PR comment allows is summarised in the comment and kept whole in the summary and JSON", async () => {
    const ws = workspace(sb);
    manyUnlabelled(ws, 400);
    const s = await step(ws, runnerEnv(sb, ws, { idToken: false, inputs: { ...STATIC, "comment-key": "big" } }));
    expect(s.result?.report.findings.filter((f) => f.id === "AG104")).toHaveLength(400);
    const [comment] = sticky("big");
    expect(comment!.body.length).toBeLessThanOrEqual(PR_COMMENT_LIMIT);
    expect(comment!.body).toContain("see the [job summary](https://github.com/contoso/django-app/actions/runs/1000000001)");
    expect(s.summary.length).toBeGreaterThan(comment!.body.length);
    expect(JSON.parse(readFileSync(s.outputs.report!, "utf8")).findings).toHaveLength(400);
  });

  it("comment-on-pass: delete removes the sticky comment once the manifests are fixed", async () => {
    const ws = workspace(sb);
    unlabel(ws);
    const inputs = { ...STATIC, "comment-key": "fixed-later", "comment-on-pass": "delete" };
    const failing = await step(ws, runnerEnv(sb, ws, { idToken: false, inputs }));
    expect(failing.result?.comment?.action).toBe("created");
    expect(sticky("fixed-later")).toHaveLength(1);

    const fresh = workspace(sb); // the fixed manifests
    const passing = await step(fresh, runnerEnv(sb, fresh, { idToken: false, inputs }));
    expect(passing.result?.report.verdict).toBe("pass");
    expect(passing.result?.comment).toEqual({ action: "deleted" });
    expect(sticky("fixed-later")).toHaveLength(0);
    expect(passing.outputs["comment-url"]).toBe("");
  });
});

describe("inputs", () => {
  it("subscription-id fills in a config that lists no subscriptions", async () => {
    const ws = workspace(sb);
    const config = path.join(ws.dir, "azure-auth-gate.yml");
    writeFileSync(config, readFileSync(config, "utf8").replace(/^subscriptions: .*\n/m, ""));
    const s = await step(
      ws,
      runnerEnv(sb, ws, { inputs: { "subscription-id": sb.state.subscriptions[0]!.subscriptionId, comment: "false" } }),
    );
    expect(s.result?.report.verdict).toBe("pass");
    expect(s.result?.report.metadata.layers).toEqual(["static", "control-plane"]);
  });

  it("subscription-id fills in a JSON config that lists no subscriptions (the file is parsed, never appended to)", async () => {
    const ws = workspace(sb);
    const config = path.join(ws.dir, "azure-auth-gate.yml");
    const parsed = parse(readFileSync(config, "utf8")) as Record<string, unknown>;
    delete parsed.subscriptions;
    writeFileSync(config, JSON.stringify(parsed, null, 2));
    const s = await step(
      ws,
      runnerEnv(sb, ws, { inputs: { "subscription-id": sb.state.subscriptions[0]!.subscriptionId, comment: "false" } }),
    );
    expect(s.stdout).not.toContain("not valid YAML");
    expect(s.result?.report.verdict).toBe("pass");
    expect(s.result?.report.metadata.layers).toEqual(["static", "control-plane"]);
  });

  it("a bad client id is one line naming the input", async () => {
    const ws = workspace(sb);
    const s = await step(ws, runnerEnv(sb, ws, { inputs: { "client-id": "not-a-guid" } }));
    expect(s.stdout).toContain("::error::input client-id: must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), got 'not-a-guid'");
    expect(s.exitCode).toBe(1);
  });
});

describe("nothing to check", () => {
  it("static mode without manifests fails with one line instead of passing", async () => {
    const ws = workspace(sb);
    const s = await step(ws, runnerEnv(sb, ws, { idToken: false, inputs: { ...STATIC, manifests: "" } }));
    expect(s.result).toBeUndefined();
    expect(s.stdout).toContain("::error::input manifests: mode 'static' needs manifests to check");
    expect(s.exitCode).toBe(1);
  });
});
