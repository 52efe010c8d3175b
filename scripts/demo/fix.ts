/**
 * Step 4 of the demo: the manifest changes `azure-auth-gate fix` makes (the same engine, `planFixes`),
 * then `kubectl apply` of them to the sandbox's cluster. Any finding the fix leaves in the manifests
 * fails the step instead of being skipped, so the demo never claims a fix it did not make.
 */
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment, type V1ServiceAccount } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { formatTarget, targetKey, type Finding } from "../../shared/findings/model.js";
import { changeBlocks, splitLines } from "../../shared/fix/diff.js";
import { planFixes } from "../../shared/fix/engine.js";
import type { FixConfig } from "../../shared/fix/plan-context.js";
import type { Sandbox } from "../../test/sandbox/index.js";

export interface ManifestFix {
  text: string;
  /** One line per finding the fix removed, e.g. "AG104 fixed: … (Deployment app/backend)". */
  changes: string[];
  /** One line per finding the fix left: the demo cannot go on as if it were fixed. */
  problems: string[];
}

/**
 * Runs the fix engine on one manifest file, as `azure-auth-gate fix --config … FILE` would. `blocked`
 * are the gate's findings: one the fix did not remove (an Azure-side finding, say) is a problem too.
 */
export function fixManifests(
  text: string,
  file: string,
  config: FixConfig = { targets: [] },
  blocked: readonly Finding[] = [],
): ManifestFix {
  const outcome = planFixes([{ file, text }], config);
  const fixed = new Set(outcome.fixed.map((f) => `${f.id}|${targetKey(f.target)}`));
  const notFixed = blocked.filter((f) => !f.waived && f.severity !== "info" && !fixed.has(`${f.id}|${targetKey(f.target)}`));
  return {
    text: outcome.changes.find((c) => c.file === file)?.after ?? text,
    changes: outcome.fixed.map((f) => `${f.id} fixed: ${f.title} (${formatTarget(f.target)})`),
    problems: [
      ...outcome.remaining.map((r) => `${r.finding.id} (${r.finding.title}) is left in ${file}: ${r.reason}`),
      ...notFixed
        .filter((f) => !outcome.remaining.some((r) => r.finding.id === f.id && targetKey(r.finding.target) === targetKey(f.target)))
        .map((f) => `${f.id} (${f.title}) has no fix in the manifests: apply its fix by hand — ${f.fix.split("\n")[0]}`),
    ],
  };
}

/** The changed lines only, as "- old line" / "+ new line" (what `git diff` shows without its context). */
export function changedLines(before: string, after: string): string[] {
  const old = splitLines(before);
  return changeBlocks(before, after).flatMap((b) => [
    ...old.slice(b.oldStart - 1, b.oldStart - 1 + b.oldCount).map((l) => `- ${l}`),
    ...b.newLines.map((l) => `+ ${l}`),
  ]);
}

interface K8sDoc {
  kind?: string;
  apiVersion?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/**
 * `kubectl apply -f FILE` for the kinds the demo's manifests hold: every object whose manifest changed is
 * replaced in the sandbox's cluster (after reading its resourceVersion), the rest are left alone.
 * Returns kubectl's one line per object.
 */
export async function applyToCluster(sb: Sandbox, cluster: string, before: string, after: string): Promise<string[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(sb.kubeconfigs[cluster]!);
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const old = parseAllDocuments(before).map((d) => JSON.stringify(d.toJS()));
  const lines: string[] = [];
  for (const doc of parseAllDocuments(after)) {
    const obj = doc.toJS() as K8sDoc | null;
    if (!obj?.kind || !obj.metadata?.name) continue;
    const name = obj.metadata.name;
    const namespace = obj.metadata.namespace ?? "default";
    const label = `${obj.kind.toLowerCase()}${obj.apiVersion?.includes("/") ? `.${obj.apiVersion.split("/")[0]}` : ""}/${name}`;
    if (old.includes(JSON.stringify(obj))) {
      lines.push(`${label} unchanged`);
      continue;
    }
    if (obj.kind === "Deployment") {
      const live = await apps.readNamespacedDeployment({ name, namespace });
      const body = { ...obj, metadata: { ...obj.metadata, resourceVersion: live.metadata?.resourceVersion } } as V1Deployment;
      await apps.replaceNamespacedDeployment({ name, namespace, body });
    } else if (obj.kind === "ServiceAccount") {
      const live = await core.readNamespacedServiceAccount({ name, namespace });
      const body = { ...obj, metadata: { ...obj.metadata, resourceVersion: live.metadata?.resourceVersion } } as V1ServiceAccount;
      await core.replaceNamespacedServiceAccount({ name, namespace, body });
    } else {
      throw new Error(`the demo cannot apply a changed ${obj.kind} (only Deployments and ServiceAccounts)`);
    }
    lines.push(`${label} configured`);
  }
  return lines;
}
