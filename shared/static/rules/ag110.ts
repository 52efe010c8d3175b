/**
 * AG110: the workload that runs `manage.py migrate` (a Job, CronJob, initContainer or Helm/Argo hook)
 * lacks the identity the app it migrates has. Django initialises its storage backends during `migrate`,
 * so the hook dies with "DefaultAzureCredential failed to retrieve a token" while the app itself works.
 */
import { formatTarget, type Finding, type SourceLocation } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { podIdentityYaml } from "../fix-text.js";
import { migratedApp, needsAppServiceAccount, type AppIdentity } from "../apps.js";
import { effectiveClientId, sameClientId } from "../token-injection.js";
import { WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "../inventory.js";
import type { ContainerView, WorkloadView } from "../workloads.js";
import { at, podLabelsLine, targetOf, type RuleContext } from "./rule-context.js";

interface Gap {
  text: string;
  location: SourceLocation;
}

function gaps(m: WorkloadView, c: ContainerView, a: AppIdentity): Gap[] {
  const out: Gap[] = [];
  if (!m.wiLabelled) {
    out.push({ text: `its pod template has no label ${WI_USE_LABEL}: "true"`, location: at(m.file, podLabelsLine(m)) });
  }
  const sa = m.serviceAccount;
  const differentSa = needsAppServiceAccount(m, a);
  if (differentSa) {
    const why = !m.serviceAccountExplicit
      ? " (no serviceAccountName: the namespace's default)"
      : !sa
        ? " (not defined in the manifests)"
        : !sa.clientId
          ? ` (no ${WI_CLIENT_ID_ANNOTATION} annotation)`
          : ` (client id ${sa.clientId})`;
    out.push({
      text: `it runs as ServiceAccount ${m.serviceAccountName}${why}, not ${a.serviceAccount}`,
      location: at(m.file, m.locations.serviceAccountName ?? m.locations.podSpec),
    });
  }
  const cid = effectiveClientId(m, c);
  const idFromOwnSa = cid.from === "serviceAccount";
  if (cid.value && a.clientId && !sameClientId(cid.value, a.clientId) && !(differentSa && idFromOwnSa)) {
    out.push({
      text: `container ${c.name} authenticates as client id ${cid.value}${cid.from === "container" ? " (its own AZURE_CLIENT_ID)" : ""}, not the app's ${a.clientId}`,
      location: at(cid.file ?? m.file, cid.line ?? c.line),
    });
  }
  return out;
}

function fixFor(m: WorkloadView, c: ContainerView, a: AppIdentity): string {
  const ownId = c.env.effective.get("AZURE_CLIENT_ID");
  return [
    `Run the migration with the app's identity: give ${formatTarget(m)} the app's ServiceAccount and the pod label${m.hook ? ` (the ${m.hook.tool === "helm" ? "Helm" : "Argo CD"} hook runs before the app is updated, so it needs them itself)` : ""}:`,
    podIdentityYaml(m, a.serviceAccount),
    ...(ownId && ownId.presence === "present"
      ? [
          `and delete env AZURE_CLIENT_ID (and any AZURE_TENANT_ID) from container ${c.name}${a.clientId ? `, or set it to ${a.clientId}` : ""}: the webhook injects the ServiceAccount's client id.`,
        ]
      : []),
  ].join("\n");
}

export function ag110(ctx: RuleContext): Finding[] {
  const { workloads } = ctx.model;
  const out: Finding[] = [];
  for (const m of workloads.filter((w) => w.isMigration)) {
    const a = migratedApp(m, workloads);
    if (!a) continue;
    for (const c of m.containers.filter((x) => x.isMigration)) {
      const found = gaps(m, c, a);
      const first = found[0];
      if (!first) continue;
      const where = c.init ? `initContainer ${c.name}` : `container ${c.name}`;
      const hook = m.hook ? `, ${m.hook.tool === "helm" ? "Helm" : "Argo CD"} hook ${m.hook.phases.join(",")}` : "";
      out.push(
        raise("AG110", {
          target: targetOf(m),
          location: first.location,
          evidence: `${formatTarget(m)} runs \`manage.py migrate\` (${where}${hook}) without the identity of ${formatTarget(a.app)} (ServiceAccount ${a.serviceAccount}${a.clientId ? `, client id ${a.clientId}` : ""}): ${found.map((g) => g.text).join("; ")}. Django initialises its storage backends during migrate, so it fails with "DefaultAzureCredential failed to retrieve a token from the included credentials" while the app works`,
          fix: fixFor(m, c, a),
        }),
      );
    }
  }
  return out;
}
