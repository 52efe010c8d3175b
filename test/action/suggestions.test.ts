/**
 * One-click fixes on a pull request, end to end: the Action in-process on a real git checkout, the
 * sandbox's GitHub API (which refuses, as GitHub does, any review comment off the PR's diff), real
 * Octokit. Suggestions land on lines the PR changed; the other fixes and the TODOs go to the sticky
 * comment; re-runs keep, never duplicate; a fixed problem's suggestion is deleted; no secret leaks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pkg from "../../package.json" with { type: "json" };
import { markerFor } from "../../action/comment.js";
import { matchesHead, NOT_HEAD } from "../../action/suggest.js";
import { RESOLVED_NOTE } from "../../action/suggestion-review.js";
import { startSandbox, type Sandbox } from "../sandbox/index.js";
import { runnerEnv, scenario, SECRET_VALUE, step } from "./action-runner.js";
import { prRepo, type PrRepo, type Tree } from "./pr-repo.js";

const ACCOUNT_KEY = "c2FuZGJveC1zdG9yYWdlLWFjY291bnQta2V5LW5ldmVyLXByaW50LW1lMDAwMDAwMDAwMDAwMDAwMDAwMDAwMA==";
const KEY = "deploy/azure-auth-gate.yml";

let sb: Sandbox;

beforeAll(async () => {
  sb = await startSandbox(scenario(), { azurite: false });
});

afterAll(async () => {
  await sb?.stop();
});

function backend(image: string): string {
  return [
    "apiVersion: v1",
    "kind: ServiceAccount",
    "metadata:",
    "  name: backend",
    "  namespace: app",
    "  annotations:",
    `    azure.workload.identity/client-id: "${sb.identity("backend-id").clientId}"`,
    "---",
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata:",
    "  name: backend",
    "  namespace: app",
    "spec:",
    "  selector:",
    "    matchLabels:",
    "      app: backend",
    "  template:",
    "    metadata:",
    "      labels:",
    "        app: backend",
    "    spec:",
    "      serviceAccountName: backend",
    "      containers:",
    "        - name: django",
    `          image: ${image}`,
    "          env:",
    "            - name: AZURE_STORAGE_CONNECTION_STRING",
    `              value: "DefaultEndpointsProtocol=https;AccountName=contosomedia;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net"`,
    "",
  ].join("\n");
}

/** The migration Job the PR adds: no WI label, no service account, leftover service-principal env. */
function migrate(opts: { leftovers?: boolean; wired?: boolean } = {}): string {
  const wired = opts.wired ?? false;
  return [
    "apiVersion: batch/v1",
    "kind: Job",
    "metadata:",
    "  name: migrate",
    "  namespace: app",
    "spec:",
    "  template:",
    "    metadata:",
    "      labels:",
    "        app: migrate",
    ...(wired ? ['        azure.workload.identity/use: "true"'] : []),
    "    spec:",
    ...(wired ? ["      serviceAccountName: backend"] : []),
    "      restartPolicy: Never",
    "      containers:",
    "        - name: migrate",
    "          image: sandbox/django-app:2",
    '          command: ["python", "manage.py", "migrate"]',
    "          env:",
    "            - name: DJANGO_SECRET_KEY",
    `              value: "${SECRET_VALUE}"`,
    ...((opts.leftovers ?? true)
      ? [
          "            - name: AZURE_TENANT_ID",
          `              value: "${sb.state.tenantId}"`,
          "            - name: AZURE_CLIENT_ID",
          '              value: "155e997f-5471-4fab-b75c-280a807716da"',
        ]
      : []),
    "",
  ].join("\n");
}

function config(): string {
  const sub = sb.state.subscriptions[0]!.subscriptionId;
  return [
    `tenantId: ${sb.state.tenantId}`,
    `subscriptions: [${sub}]`,
    "targets:",
    "  - workload: app/Deployment/backend",
    "    blob: [{ account: contosomedia, container: media, access: write }]",
    "",
  ].join("\n");
}

const BASE = (): Tree => ({ "azure-auth-gate.yml": config(), "k8s/backend.yaml": backend("sandbox/django-app:1") });
const HEAD = (): Tree => ({ "k8s/backend.yaml": backend("sandbox/django-app:2"), "k8s/migrate.yaml": migrate() });

/** Static mode: the suggestions need no Azure sign-in; the PR token is the repository's write token. */
function env(ws: PrRepo, inputs: Record<string, string> = {}, token?: string): Record<string, string> {
  return runnerEnv(sb, ws, {
    idToken: false,
    ...(token ? { token } : {}),
    inputs: { mode: "static", "client-id": "", manifests: "k8s/*.yaml", sarif: "", ...inputs },
  });
}

const gh = () => sb.state.github!;
const suggestionThreads = () => (gh().reviewComments ?? []).filter((c) => c.body.startsWith("<!-- azure-auth-gate:suggestion:"));
const sticky = () => gh().comments.filter((c) => c.issueNumber === 12 && c.body.startsWith(markerFor(KEY)));

function reset(): void {
  gh().comments = [];
  gh().reviews = [];
  gh().reviewComments = [];
}

function expectNoSecrets(text: string): void {
  expect(text).not.toContain(SECRET_VALUE);
  expect(text).not.toContain(ACCOUNT_KEY);
  expect(text).not.toContain(ACCOUNT_KEY.slice(0, 24));
}

describe("one-click fixes as review suggestions", () => {
  it("suggests fixes on the lines the PR changed, lists the rest in the sticky comment, and leaks no secret", async () => {
    reset();
    const ws = prRepo(sb, BASE(), HEAD());
    const s = await step(ws, env(ws));
    const sync = s.result?.suggestions?.sync;
    expect(sync).toMatchObject({ created: 3, kept: 0, deleted: 0 });
    // One review, on the PR's head commit, holding every suggestion; all on the file the PR added.
    expect(gh().reviews).toHaveLength(1);
    expect(gh().reviews[0]).toMatchObject({ id: sync?.reviewId, commitId: ws.head, state: "COMMENTED" });
    const threads = suggestionThreads();
    expect(threads.map((t) => [t.path, t.startLine ?? null, t.line, t.side])).toEqual([
      ["k8s/migrate.yaml", null, 10, "RIGHT"],
      ["k8s/migrate.yaml", null, 11, "RIGHT"],
      ["k8s/migrate.yaml", 20, 23, "RIGHT"],
    ]);
    expect(threads[0]!.body).toMatch(/```suggestion\n {8}app: migrate\n {8}azure\.workload\.identity\/use: "true"\n```$/);
    expect(threads[1]!.body).toMatch(/```suggestion\n {4}spec:\n {6}serviceAccountName: backend\n```$/);
    expect(threads[2]!.body).toMatch(/AG102 .*\n\n```suggestion\n```$/s);
    expect(s.outputs.suggestions).toBe("3");

    // The Deployment's missing pod label is on a line the PR did not touch: the sticky comment has it.
    const [comment] = sticky();
    expect(comment?.body).toContain("### Fixes not on changed lines");
    expect(comment?.body).toContain(
      '- k8s/backend.yaml, after line 21 — the pull request does not change these lines; insert:\n  ```yaml\n          azure.workload.identity/use: "true"\n  ```',
    );
    // The literal connection string is a TODO with its guidance, never deleted and never printed.
    expect(comment?.body).toContain("**AG101** k8s/backend.yaml&#58;29 Deployment app/backend");
    expect(comment?.body).toContain(`npx azure-auth-gate@${pkg.version} fix --diff k8s/backend.yaml k8s/migrate.yaml`);

    for (const text of [
      ...gh().reviews.map((r) => r.body),
      ...threads.map((t) => t.body),
      ...gh().comments.map((c) => c.body),
      s.stdout,
      s.summary,
    ])
      expectNoSecrets(text);
  });

  it("posts nothing new on a second run of the same PR: the same review comments remain, no duplicates", async () => {
    reset();
    const ws = prRepo(sb, BASE(), HEAD());
    await step(ws, env(ws));
    const before = suggestionThreads().map((t) => [t.id, t.body]);
    const again = await step(ws, env(ws));
    expect(again.result?.suggestions?.sync).toEqual({ created: 0, kept: 3, deleted: 0, resolvedReviews: 0 });
    expect(suggestionThreads().map((t) => [t.id, t.body])).toEqual(before);
    expect(gh().reviews).toHaveLength(1);
    expect(sticky()).toHaveLength(1);
    expect(again.outputs.suggestions).toBe("3");
  });

  it("deletes the suggestion of a problem the author fixed, keeps the others, and closes out the review when all are done", async () => {
    reset();
    const ws = prRepo(sb, BASE(), HEAD());
    await step(ws, env(ws));
    const [label, account] = suggestionThreads();

    // The author removes the leftover env by hand (below the other suggestions: their lines stay).
    ws.push({ "k8s/migrate.yaml": migrate({ leftovers: false }) });
    const second = await step(ws, env(ws));
    expect(second.result?.suggestions?.sync).toMatchObject({ created: 0, kept: 2, deleted: 1, resolvedReviews: 0 });
    expect(suggestionThreads().map((t) => t.id)).toEqual([label!.id, account!.id]);
    expect(gh().reviews).toHaveLength(1);

    // Then wires the Job up: nothing left to suggest, and the review says its suggestions are done.
    ws.push({ "k8s/migrate.yaml": migrate({ leftovers: false, wired: true }) });
    const third = await step(ws, env(ws));
    expect(third.result?.suggestions?.sync).toEqual({ created: 0, kept: 0, deleted: 2, resolvedReviews: 1 });
    expect(suggestionThreads()).toEqual([]);
    expect(gh().reviews.map((r) => r.body)).toEqual([expect.stringContaining(RESOLVED_NOTE)]);
    expect(third.outputs.suggestions).toBe("0");
  });

  it("replaces a suggestion whose lines moved with a new push", async () => {
    reset();
    const ws = prRepo(sb, BASE(), HEAD());
    await step(ws, env(ws));
    // A comment line added at the top moves every suggestion down by one.
    ws.push({ "k8s/migrate.yaml": `# migrations run before the rollout\n${migrate()}` });
    const s = await step(ws, env(ws));
    expect(s.result?.suggestions?.sync).toMatchObject({ created: 3, kept: 0, deleted: 3, resolvedReviews: 1 });
    expect(suggestionThreads().map((t) => t.line)).toEqual([11, 12, 24]);
    expect(gh().reviews).toHaveLength(2);
  });

  it("lists a file's fixes in the sticky comment when the checkout is not the PR head there (merge commit)", async () => {
    reset();
    const ws = prRepo(sb, BASE(), HEAD());
    // GitHub knows the PR's head; the runner checked out the merge, where the base added a line on top.
    const headFiles = gh().pullFiles;
    ws.push({ "k8s/migrate.yaml": `# added on main meanwhile\n${migrate()}` });
    gh().pullFiles = headFiles;
    const s = await step(ws, env(ws));
    expect(s.result?.suggestions?.sync?.created).toBe(0);
    expect(suggestionThreads()).toEqual([]);
    expect(sticky()[0]?.body).toContain("k8s/migrate.yaml, after line 11 — the checked-out file differs from the pull request&#39;s head");
    expect(NOT_HEAD).toContain("differs from the pull request's head");
  });

  it("does nothing with suggestions: false, and skips a fork's PR with a notice", async () => {
    reset();
    const ws = prRepo(sb, BASE(), HEAD());
    const off = await step(ws, env(ws, { suggestions: "false" }));
    expect(off.result?.suggestions).toBeUndefined();
    expect(gh().reviews).toEqual([]);
    expect(sticky()[0]?.body).not.toContain("Fixes not on changed lines");

    const fork = prRepo(sb, BASE(), HEAD(), { fork: true });
    const s = await step(fork, env(fork, {}, sb.githubTokens!.readOnly));
    expect(s.stdout).toMatch(/^::notice::suggestions: skipped on a pull request from a fork/m);
    expect(gh().reviews).toEqual([]);
  });

  it("warns, lists every fix in the comment, and keeps the verdict when GitHub refuses the review", async () => {
    reset();
    const ws = prRepo(sb, BASE(), HEAD());
    // Not a fork, but a token without pull-requests: write — every write is refused with 403.
    const s = await step(ws, env(ws, { "fail-on": "never" }, sb.githubTokens!.readOnly));
    expect(s.exitCode).toBe(0);
    expect(s.stdout).toMatch(/^::warning::suggestions: could not post the fixes as review suggestions \(HTTP 403: /m);
    expect(s.result?.suggestions?.sync).toBeUndefined();
    expect(s.result?.suggestions?.section).toContain(
      "k8s/migrate.yaml, after line 10 — not posted as a suggestion&#58; GitHub refused the review",
    );
    expect(gh().reviews).toEqual([]);
    // The token appears only in the runner's mask command, never in a message.
    expect(s.stdout.replace(/^::add-mask::.*$/gm, "")).not.toContain(sb.githubTokens!.readOnly);
  });
});

describe("matchesHead", () => {
  it("compares every head line of the patch, an added line starting with ++ included", () => {
    const patch = ["@@ -1,2 +1,3 @@", " a: |", "+++ x", "   z"].join("\n");
    expect(matchesHead("a: |\n++ x\n  z\n", patch)).toBe(true);
    expect(matchesHead("a: |\r\n++ x\r\n  z\r\n", patch)).toBe(true);
    // The checkout has another line where the head added "++ x" (a merge moved it).
    expect(matchesHead("a: |\n++ y\n  z\n", patch)).toBe(false);
    expect(matchesHead("a: |\n  z\n++ x\n", patch)).toBe(false);
  });
});
