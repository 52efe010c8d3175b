/** AG108: a service-principal secret (or another credential) from a Kubernetes Secret in a container's env. */
import { formatTarget, type Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { credentialVariable, isSecretVariable } from "../credential-knowledge.js";
import { credentialFamily } from "../credentials.js";
import { at, targetOf, type RuleContext } from "./rule-context.js";
import { revokeStep, workloadIdentityFix } from "./credential-fixes.js";

export function ag108(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const w of ctx.model.workloads) {
    for (const c of w.containers) {
      const seen = new Set<string>();
      for (const v of c.env.entries) {
        if (v.source.kind !== "secret" || !isSecretVariable(v.name) || seen.has(v.name)) continue;
        seen.add(v.name);
        const known = credentialVariable(v.name);
        const family = credentialFamily(v.name, "");
        const secretName = v.source.name;
        const how =
          v.via === "env"
            ? `env ${v.name} in container ${c.name} comes from Secret ${secretName} (key ${v.source.key}) via secretKeyRef`
            : `envFrom secretRef ${secretName} gives container ${c.name} ${v.name} (Secret key ${v.source.key})`;
        // A service principal under other names (AAD Pod Identity's MIC: CLIENT_ID / TENANT_ID / CLIENT_SECRET) is the same secret.
        const partners = c.env.entries
          .filter(
            (p) =>
              p !== v &&
              p.source.kind === "secret" &&
              credentialVariable(p.name)?.reader === known?.reader &&
              ["tenant", "clientId"].includes(credentialVariable(p.name)?.role ?? ""),
          )
          .map((p) => p.name);
        const sp =
          family === "identity" && partners.length > 0
            ? ` together with ${[...new Set(partners)].join(" and ")}: a service principal's full sign-in`
            : "";
        out.push(
          raise("AG108", {
            target: targetOf(w),
            location: at(w.file, v.line),
            evidence: `${how}${sp}; Kubernetes Secrets are base64-encoded, not encrypted, and this one must be rotated by hand`,
            fix: [
              family === "identity"
                ? `Remove ${v.name} from container ${c.name} in ${formatTarget(w)} (the ${v.via === "env" ? "env entry" : "envFrom secretRef"} for Secret ${secretName}) and delete the secret from the app registration once nothing uses it.`
                : `Remove ${v.name} from container ${c.name} in ${formatTarget(w)} (the ${v.via === "env" ? "env entry" : "envFrom secretRef"} for Secret ${secretName}). ${revokeStep(family, "<app-id>")}`,
              workloadIdentityFix(w),
              `If a secret must stay, mount it from Key Vault with the Secrets Store CSI driver (SecretProviderClass, provider: azure) instead of a Kubernetes Secret.`,
            ].join("\n"),
          }),
        );
      }
    }
  }
  return out;
}
