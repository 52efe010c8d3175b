/**
 * The demo's story, one step each: the sandbox with the seed-000 outage → the app failing the way
 * `manage.py migrate` fails → the gate blocking the deploy with the findings and their fixes → the fix
 * applied to the manifests and the cluster → the gate passing on every layer → the app working.
 * Each step checks its own outcome; `DemoSession` carries the sandbox and what earlier steps found.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfigSettings } from "../../shared/config/load.js";
import type { Finding, Report } from "../../shared/findings/model.js";
import { fixConfigFrom } from "../../shared/fix/plan-context.js";
import { renderText } from "../../shared/report/text.js";
import { runAppOnce, type AppRun } from "./app-pod.js";
import { applyToCluster, changedLines, fixManifests } from "./fix.js";
import { runGate, type GateRun } from "./gate.js";
import { color, paint, say, show, type DemoStep } from "./runner.js";
import { pythonSdkMissing, startWorld, type DemoWorld } from "./world.js";

/** How each SDK words the whole chain failing: Python's is the field report's text; the JS SDK names the chain. */
const OUTAGE: Record<DemoWorld["runtime"], string> = {
  python: "DefaultAzureCredential failed to retrieve a token from the included credentials",
  node: "ChainedTokenCredential authentication failed",
};
const NAMESPACE = "app";
const DEPLOYMENT = "backend";

/** The sandbox and what the steps learnt; `stop()` is safe to call at any time, more than once. */
export class DemoSession {
  world: DemoWorld | undefined;
  blocked: Report | undefined;
  private stopping: Promise<void> | undefined;

  get secrets(): string[] {
    return this.world?.secrets ?? [];
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (!this.world) return;
      await this.world.stop();
      say(paint(2, "Sandbox stopped; its servers, pods and files are gone."));
    })();
    return this.stopping;
  }

  need(): DemoWorld {
    if (!this.world) throw new Error("the sandbox is not running");
    return this.world;
  }
}

const layerOf = (id: string): "static" | "control plane" | "probe" =>
  id.startsWith("AG1") ? "static" : id.startsWith("AG2") ? "control plane" : "probe";

/** "static ✘ 3 errors · control plane ✔ · probe ✔ · 12 Azure calls": the report per layer, in one line. */
function layerLine(report: Report): string {
  const layers = report.metadata.layers.map((l) => (l === "control-plane" ? "control plane" : l === "data-plane" ? "probe" : "static"));
  const parts = layers.map((layer) => {
    const errors = report.findings.filter((f) => !f.waived && f.severity === "error" && layerOf(f.id) === layer).length;
    return errors === 0 ? `${layer} ${paint(32, "✔")}` : `${layer} ${paint(31, `✘ ${errors} error${errors === 1 ? "" : "s"}`)}`;
  });
  return [...parts, `${report.metadata.azureCalls ?? 0} Azure calls`].join(" · ");
}

async function gateStep(world: DemoWorld): Promise<GateRun> {
  const run = await runGate(
    world.dir,
    ["check", world.manifests, "--config", world.config, "--probe", "--allow-custom-cloud"],
    world.gateEnv,
  );
  say(paint(2, `  $ ${run.shown}`));
  show(run.stderr, "    ");
  if (run.report) {
    say(paint(2, "  gate-report.json, as `--format text` prints it:"));
    show(renderText(run.report, { color }));
    say(`  exit code ${run.code} · ${layerLine(run.report)}`);
    const azureSide = run.report.findings.filter((f) => !f.waived && f.severity === "error" && layerOf(f.id) !== "static");
    const staticSide = run.report.findings.filter((f) => !f.waived && f.severity === "error" && layerOf(f.id) === "static");
    if (staticSide.length > 0 && azureSide.length === 0 && run.report.metadata.layers.includes("data-plane")) {
      say("  The identity, its federated credential and roles are right, and the probe (a Job running as the pod with");
      say("  Workload Identity on) got its token, secret and blobs: what breaks the app is in the manifests.");
    }
  }
  return run;
}

/** The app's JSON line as three short lines a reader can follow. */
function showApp(run: AppRun): void {
  const o = run.outcome;
  if (!o) {
    show(run.log.split("\n").slice(-5).join("\n"), "    log: ");
    return;
  }
  if (o.token?.ok === false) {
    // The SDK's message: the headline, then one line per credential it tried (troubleshooting links left out).
    const [first = "", ...rest] = (o.token.message ?? "").split("\n").map((l) => l.trim());
    say(`    ${paint(31, `${o.token.name ?? "ClientAuthenticationError"}: ${first}`)}`);
    const tried = rest
      .filter((l) => /^(\w+Credential|CredentialUnavailableError): /.test(l))
      .map((l) => l.replace(/^CredentialUnavailableError: /, ""));
    for (const line of tried) say(paint(2, `      ${line.length > 160 ? `${line.slice(0, 159)}…` : line}`));
    return;
  }
  say(`    token: ${o.token?.ok ? "ok" : "none"}`);
  for (const [name, s] of Object.entries(o.secrets ?? {}))
    say(
      `    Key Vault secret ${name}: ${s.ok ? `read (${s.length} characters; value not shown)` : `refused (${s.status} ${s.code ?? ""})`}`,
    );
  if (o.blob)
    say(
      `    Blob container: ${o.blob.ok ? `listed (${o.blob.count} blob${o.blob.count === 1 ? "" : "s"})` : `refused (${o.blob.status} ${o.blob.code ?? ""})`}`,
    );
}

const ids = (findings: readonly Finding[]) => [...new Set(findings.filter((f) => !f.waived).map((f) => f.id))];

export function sandboxSteps(session: DemoSession): DemoStep[] {
  return [
    {
      title: "Start the local Azure sandbox with the seed-000 outage",
      async run() {
        const missing = pythonSdkMissing();
        if (missing) say(paint(33, `  Note: ${missing}.`));
        session.world = await startWorld();
        const w = session.world;
        say("  Emulates Entra ID, ARM, Graph, Key Vault, Blob Storage (Azurite) and an AKS cluster whose pods run as local");
        say("  processes — every endpoint on 127.0.0.1; nothing leaves this machine, no Azure account needed.");
        say("  The outage (field report seed 000): the Django Deployment still sets AZURE_TENANT_ID / AZURE_CLIENT_ID of an");
        say("  old service principal whose secret was removed, and its pods are not labelled for Workload Identity.");
        say(`  The team's files (examples/sandbox/ with the sandbox's ids and URLs filled in): ${w.dir}/{${w.manifests},${w.config}}`);
        return w.sb.state.clusters[0]?.objects.some((o) => o.kind === "Deployment" && o.metadata.name === DEPLOYMENT)
          ? []
          : ["the sandbox's cluster does not serve the backend Deployment"];
      },
    },
    {
      title: "The outage: `manage.py migrate` starts the app, and the Azure SDK cannot sign in",
      async run() {
        const w = session.need();
        say(
          `  Job ${NAMESPACE}/django-migrate from the deployed pod template (${w.runtime === "python" ? "the real Azure SDK for Python" : "the Azure SDK for Node"}):`,
        );
        const run = await runAppOnce(w.sb, { namespace: NAMESPACE, deployment: DEPLOYMENT, job: "django-migrate" });
        showApp(run);
        const problems: string[] = [];
        if (run.succeeded) problems.push("the app pod succeeded, but the outage should stop it");
        if (run.outcome?.token?.ok !== false)
          problems.push("the app got a token (or printed no result), but the outage should deny it one");
        else if (!run.outcome.token.message?.includes(OUTAGE[w.runtime])) problems.push(`the app's error is not "${OUTAGE[w.runtime]}"`);
        if (w.sb.log.refusedEgress.length > 0)
          problems.push(`a pod tried to leave 127.0.0.1 (${w.sb.log.refusedEgress.length} connections refused)`);
        return problems;
      },
    },
    {
      title: "Run the gate on the deployed manifests: it blocks the deploy and says what to fix",
      async run() {
        const run = await gateStep(session.need());
        const report = run.report;
        if (!report) return [`the gate wrote no report (exit ${run.code}): ${run.stderr.trim().split("\n").at(-1) ?? ""}`];
        session.blocked = report;
        const problems: string[] = [];
        if (run.code !== 1) problems.push(`expected exit 1 (blocked), got ${run.code}`);
        if (report.verdict !== "fail") problems.push(`expected verdict fail, got ${report.verdict}`);
        const missing = (["AG102", "AG104"] as const).filter((id) => !ids(report.findings).includes(id));
        if (missing.length > 0) problems.push(`expected findings ${missing.join(", ")} (got ${ids(report.findings).join(", ") || "none"})`);
        if (report.metadata.layers.length !== 3)
          problems.push(`expected the static, control-plane and probe layers, got ${report.metadata.layers.join(", ")}`);
        return problems;
      },
    },
    {
      title: "Apply the fixes the findings ask for, to the manifests and to the cluster",
      async run() {
        const w = session.need();
        const file = join(w.dir, w.manifests);
        const before = readFileSync(file, "utf8");
        // The fix `azure-auth-gate fix --config azure-auth-gate.yml k8s/backend.yaml` makes.
        const fix = fixManifests(before, w.manifests, fixConfigFrom(loadConfigSettings(join(w.dir, w.config))), session.blocked?.findings);
        for (const change of fix.changes) say(`  ${change}`);
        if (fix.problems.length > 0) return fix.problems;
        writeFileSync(file, fix.text);
        say(paint(2, `  $ git diff ${w.manifests}`));
        for (const line of changedLines(before, fix.text)) say(`    ${paint(line.startsWith("+") ? 32 : 31, line)}`);
        say(paint(2, `  $ kubectl apply -f ${w.manifests}`));
        for (const line of await applyToCluster(w.sb, "aks-prod", before, fix.text)) say(`    ${line}`);
        return fix.changes.length > 0 ? [] : ["the findings asked for no change"];
      },
    },
    {
      title: "Run the gate again: pass on every layer",
      async run() {
        const run = await gateStep(session.need());
        const report = run.report;
        if (!report) return [`the gate wrote no report (exit ${run.code}): ${run.stderr.trim().split("\n").at(-1) ?? ""}`];
        const problems: string[] = [];
        if (run.code !== 0) problems.push(`expected exit 0, got ${run.code}`);
        if (report.verdict !== "pass") problems.push(`expected verdict pass, got ${report.verdict} (${ids(report.findings).join(", ")})`);
        if (report.metadata.layers.join(",") !== "static,control-plane,data-plane")
          problems.push(`expected the static, control-plane and probe layers, got ${report.metadata.layers.join(", ")}`);
        if (!((report.metadata.azureCalls ?? 0) > 0)) problems.push("the gate made no Azure calls");
        return problems;
      },
    },
    {
      title: "The fixed app starts: token, Key Vault secret and Blob container",
      async run() {
        const w = session.need();
        say(`  Job ${NAMESPACE}/django-migrate-2 from the fixed pod template:`);
        const run = await runAppOnce(w.sb, { namespace: NAMESPACE, deployment: DEPLOYMENT, job: "django-migrate-2" });
        showApp(run);
        const o = run.outcome;
        const problems: string[] = [];
        if (!run.succeeded) problems.push("the app pod failed");
        if (o?.token?.ok !== true) problems.push("the app got no token");
        if (!Object.values(o?.secrets ?? {}).some((s) => s.ok)) problems.push("the app could not read its Key Vault secret");
        if (o?.blob?.ok !== true) problems.push("the app could not list its Blob container");
        if (w.sb.log.refusedEgress.length > 0)
          problems.push(`a pod tried to leave 127.0.0.1 (${w.sb.log.refusedEgress.length} connections refused)`);
        return problems;
      },
    },
  ];
}
