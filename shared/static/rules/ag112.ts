/** AG112: Workload Identity plus a service-principal secret, which silently wins (EnvironmentCredential runs first). */
import { formatTarget, type Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { workloadIdentity } from "../token-injection.js";
import type { ContainerView, WorkloadView } from "../workloads.js";
import { at, targetOf, type RuleContext } from "./rule-context.js";
import { CLIENT_VAR, forEachContainer, SECRET_VARS, sourceText, TENANT_VAR } from "./environment-credential.js";

function ag112For(w: WorkloadView, c: ContainerView): Finding | undefined {
  if (workloadIdentity(w, c) !== "yes") return undefined;
  const secret = SECRET_VARS.map((n) => c.env.effective.get(n)).find((v) => v?.presence === "present");
  if (!secret) return undefined;
  const rest = [TENANT_VAR, CLIENT_VAR].map((n) => {
    const v = c.env.effective.get(n);
    return v?.presence === "present" ? `${n} from the container's ${sourceText(v)}` : `${n} injected by the webhook`;
  });
  const how = secret.via === "envFrom" ? `envFrom ${sourceText(secret)}` : sourceText(secret);
  return raise("AG112", {
    target: targetOf(w),
    location: at(w.file, secret.line),
    evidence: `${formatTarget(w)} uses Workload Identity (pod label + ServiceAccount ${w.serviceAccountName}) and container ${c.name} also gets ${secret.name} (${how}, line ${secret.line}) with ${rest.join(" and ")}: EnvironmentCredential runs first, so the pod signs in as the service principal, not as its workload identity`,
    fix: [
      `Remove ${secret.name} from container ${c.name} in ${formatTarget(w)} (${secret.via === "envFrom" ? `drop the envFrom ref to ${sourceText(secret)} or the key from it` : "delete the env entry"}), together with any leftover AZURE_TENANT_ID / AZURE_CLIENT_ID that belonged to the service principal.`,
      `Then delete the client secret from the app registration (\`az ad app credential delete --id <app-id> --key-id <key-id>\`).`,
    ].join("\n"),
  });
}

export const ag112 = (ctx: RuleContext): Finding[] => forEachContainer(ctx, ag112For);
