/** AG102: a half-configured EnvironmentCredential without Workload Identity — the seed-000 outage. */
import { formatTarget, type Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { presenceOf, type ContainerEnv, type EnvVar, type Presence } from "../env.js";
import {
  federatedCredentialCommand,
  podIdentityYaml,
  podLabelYaml,
  podLabelsPath,
  serviceAccountFor,
  serviceAccountYaml,
} from "../fix-text.js";
import { migratedApp } from "../apps.js";
import { workloadIdentity } from "../token-injection.js";
import { AAD_POD_IDENTITY_LABEL, WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "../inventory.js";
import type { ContainerView, WorkloadView } from "../workloads.js";
import { at, targetOf, type RuleContext } from "./rule-context.js";
import { CLIENT_VAR, forEachContainer, PASSWORD_VAR, SECRET_VARS, sourceText, TENANT_VAR, USERNAME_VAR } from "./environment-credential.js";

const ENV_CREDENTIAL_VARS = new Set([TENANT_VAR, CLIENT_VAR, ...SECRET_VARS, USERNAME_VAR, PASSWORD_VAR]);
const FAILURE = `DefaultAzureCredential fails with "failed to retrieve a token from the included credentials"`;

function anyOf(states: Presence[]): Presence {
  if (states.includes("present")) return "present";
  return states.includes("unknown") ? "unknown" : "absent";
}
function allOf(states: Presence[]): Presence {
  if (states.includes("absent")) return "absent";
  return states.includes("unknown") ? "unknown" : "present";
}

/** The credential part of EnvironmentCredential: a secret, a certificate, or (legacy) username + password. */
function secretPart(env: ContainerEnv): Presence {
  return anyOf([...SECRET_VARS.map((n) => presenceOf(env, n)), allOf([presenceOf(env, USERNAME_VAR), presenceOf(env, PASSWORD_VAR)])]);
}

/** Why Workload Identity does not reach this container (AG102 fires only when it certainly does not). */
function whyNoWorkloadIdentity(w: WorkloadView): string {
  if (!w.wiLabelled) {
    const owner = w.locations.ownerWiLabel ? ` (it is on the ${w.kind}'s own metadata, which the webhook does not read)` : "";
    return `the pod template has no label ${WI_USE_LABEL}: "true"${owner}, so no federated token is injected`;
  }
  return `ServiceAccount ${w.serviceAccountName} has no ${WI_CLIENT_ID_ANNOTATION} annotation and the container sets no AZURE_CLIENT_ID`;
}

function ag102For(w: WorkloadView, c: ContainerView, all: readonly WorkloadView[]): Finding | undefined {
  const tenant = presenceOf(c.env, TENANT_VAR);
  const client = presenceOf(c.env, CLIENT_VAR);
  const secret = secretPart(c.env);
  const parts: Array<[string, Presence]> = [
    [TENANT_VAR, tenant],
    [CLIENT_VAR, client],
    [SECRET_VARS.join(" / "), secret],
  ];
  const present = parts.filter(([, p]) => p === "present");
  const missing = parts.filter(([, p]) => p === "absent");
  // Intent: a tenant id alone (the Workload Identity webhook's own manager injects it into other pods) is
  // configuration, not a half-set credential; with a client id or a secret beside it, it is one.
  const tenantOnly = tenant === "present" && client !== "present" && secret !== "present";
  const halfSet = present.length > 0 && missing.length > 0 && !tenantOnly;
  if (!halfSet) return undefined;
  if (workloadIdentity(w, c) !== "no") return undefined;
  // AAD Pod Identity hands the pod a managed identity through NMI: not this failure (AG103 covers it).
  if (w.podLabels[AAD_POD_IDENTITY_LABEL] !== undefined) return undefined;
  const setVars = [...c.env.effective.values()].filter((v) => v.presence === "present" && ENV_CREDENTIAL_VARS.has(v.name));
  const first = setVars.reduce<EnvVar | undefined>((a, v) => (!a || v.line < a.line ? v : a), undefined);
  const seen = setVars.map((v) => `${v.name} (${sourceText(v)}, line ${v.line})`).join(", ");
  // A migration should borrow the identity of the app it migrates rather than get a new one.
  const app = w.isMigration ? migratedApp(w, all) : undefined;
  const sa = app && app.app !== w ? app.serviceAccount : serviceAccountFor(w);
  const saReady = w.serviceAccount?.clientId !== undefined && w.serviceAccount.name === sa;
  const leftovers = setVars.map((v) => v.name).join(", ");
  const fix =
    app && app.app !== w
      ? [
          `Run ${formatTarget(w)} with the identity of ${formatTarget(app.app)} (ServiceAccount ${app.serviceAccount}${app.clientId ? `, client id ${app.clientId}` : ""}) and delete the leftover env ${leftovers} from container ${c.name}:`,
          podIdentityYaml(w, app.serviceAccount),
        ]
      : saReady
        ? [
            `ServiceAccount ${sa} already names client id ${w.serviceAccount?.clientId}; add the pod label under ${podLabelsPath(w)} (a label on the ${w.kind}'s own metadata does not count):`,
            podLabelYaml(w),
            `and delete the leftover env ${leftovers} from container ${c.name}: the webhook injects AZURE_CLIENT_ID / AZURE_TENANT_ID itself.`,
          ]
        : [
            `Wire Workload Identity for ${formatTarget(w)} and delete the leftover env ${leftovers} from container ${c.name}:`,
            podIdentityYaml(w, sa),
            "",
            serviceAccountYaml(w.namespace, sa, w.serviceAccount?.clientId),
            "",
            federatedCredentialCommand(w.namespace, sa),
          ];
  return raise("AG102", {
    target: targetOf(w),
    location: at(w.file, first?.line ?? c.line),
    evidence: `container ${c.name} sets ${seen} but not ${missing.map(([n]) => n).join(", ")}; ${whyNoWorkloadIdentity(w)}. EnvironmentCredential is "not fully configured", WorkloadIdentityCredential has no token file, and ${FAILURE}`,
    fix: fix.join("\n"),
  });
}

export const ag102 = (ctx: RuleContext): Finding[] => forEachContainer(ctx, ag102For);
