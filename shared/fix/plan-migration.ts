/**
 * AG110 (the migrate Job/hook lacks the app's identity: give it the app's ServiceAccount and the pod
 * label) and AG102 (half-set AZURE_TENANT_ID / AZURE_CLIENT_ID without Workload Identity: wire
 * Workload Identity, then remove the leftovers). AG102 only removes env once the same fix wires the
 * identity, and never when a secret is set too (that is AG108/AG112, not a leftover).
 */
import { formatTarget, type Finding } from "../findings/model.js";
import { migratedApp, needsAppServiceAccount } from "../static/apps.js";
import { knownValue, presenceOf } from "../static/env.js";
import { sameClientId } from "../static/token-injection.js";
import type { ContainerView, WorkloadView } from "../static/workloads.js";
import type { Intent } from "./intents.js";
import { podRef, workloadOf, type Plan, type PlanContext } from "./plan-context.js";

/** Label + ServiceAccount that give migration `m` the identity of the app it migrates. */
function borrowAppIdentity(ctx: PlanContext, m: WorkloadView): { intents: Intent[]; clientId?: string } | undefined {
  const a = migratedApp(m, ctx.model.workloads);
  if (!a || a.app === m) return undefined;
  const intents: Intent[] = [];
  if (!m.wiLabelled) intents.push({ kind: "wiLabel", ...podRef(m) });
  if (needsAppServiceAccount(m, a)) intents.push({ kind: "serviceAccount", name: a.serviceAccount, ...podRef(m) });
  return { intents, ...(a.clientId ? { clientId: a.clientId } : {}) };
}

export function planAg110(ctx: PlanContext, f: Finding): Plan {
  const m = workloadOf(ctx, f);
  if (!m) return { todo: "the workload was not found in the manifests" };
  const borrowed = borrowAppIdentity(ctx, m);
  if (!borrowed) return { todo: "the app this migration belongs to was not found" };
  const intents = [...borrowed.intents];
  // A migrate container that names another client id itself: align it with the app's.
  for (const c of m.containers.filter((x) => x.isMigration)) {
    const own = c.env.effective.get("AZURE_CLIENT_ID");
    const value = knownValue(own);
    if (!own || own.presence !== "present" || !borrowed.clientId || (value !== undefined && sameClientId(value, borrowed.clientId)))
      continue;
    if (own.via === "env" && own.source.kind === "literal")
      intents.push({ kind: "envValue", ...podRef(m), init: c.init, container: c.name, name: "AZURE_CLIENT_ID", value: borrowed.clientId });
    else
      return {
        todo: `container ${c.name}'s AZURE_CLIENT_ID comes from ${own.source.kind === "configMap" ? `ConfigMap ${own.source.name}` : "a reference"}: change it to ${borrowed.clientId} there`,
      };
  }
  return intents.length > 0 ? { intents } : { todo: "nothing in the manifests differs from the app's identity" };
}

function containerAt(w: WorkloadView, line: number | undefined): ContainerView | undefined {
  return w.containers.find((c) => c.line === line || c.env.entries.some((v) => v.line === line)) ?? w.containers[0];
}

const SECRET_VARS = ["AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PATH", "AZURE_USERNAME", "AZURE_PASSWORD"];
const LEFTOVERS = ["AZURE_TENANT_ID", "AZURE_CLIENT_ID"];

export function planAg102(ctx: PlanContext, f: Finding): Plan {
  const w = workloadOf(ctx, f);
  const c = w ? containerAt(w, f.location?.line) : undefined;
  if (!w || !c) return { todo: "the workload was not found in the manifests" };
  if (SECRET_VARS.some((n) => presenceOf(c.env, n) !== "absent")) {
    return {
      todo: `container ${c.name} also gets a secret or may (envFrom): removing only the tenant/client id would not make it safe; move it to Workload Identity by hand`,
    };
  }
  const borrowed = w.isMigration ? borrowAppIdentity(ctx, w) : undefined;
  const ownSaReady = w.serviceAccountExplicit && w.serviceAccountName !== "default" && w.serviceAccount?.clientId !== undefined;
  const wiring: Intent[] | undefined = borrowed
    ? borrowed.intents
    : ownSaReady
      ? w.wiLabelled
        ? []
        : [{ kind: "wiLabel", ...podRef(w) }]
      : undefined;
  if (!wiring) {
    return {
      todo: `Workload Identity cannot be wired for ${formatTarget(w)} without knowing its identity: annotate a dedicated ServiceAccount with the client id, run the pod as it, then re-run the fix`,
    };
  }
  const leftovers = LEFTOVERS.map((n) => c.env.effective.get(n)).filter((v) => v !== undefined && v.presence === "present");
  const inEnv = leftovers.filter((v) => v?.via === "env").map((v) => v?.name ?? "");
  const fromEnvFrom = leftovers.filter((v) => v?.via === "envFrom");
  const intents: Intent[] = [
    ...wiring,
    ...(inEnv.length > 0 ? [{ kind: "removeEnv" as const, ...podRef(w), init: c.init, container: c.name, names: inEnv }] : []),
  ];
  const followUps = fromEnvFrom.map(
    (v) =>
      `${v?.name} still reaches container ${c.name} of ${formatTarget(w)} through envFrom ${v?.source.kind === "configMap" || v?.source.kind === "secret" ? `${v.source.kind} ${v.source.name}` : ""}: remove that key (the webhook injects it)`,
  );
  return { intents, ...(followUps.length > 0 ? { followUps } : {}) };
}
