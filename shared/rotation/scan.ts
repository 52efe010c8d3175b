/**
 * Secret hygiene (AG401–AG403) over the apps and service principals in scope: who still has client
 * secrets, which expire soon, which have expired or are older than the maximum age. Reads metadata only
 * (Graph never returns secret values after creation); secrets a rotation is retiring are not re-raised.
 */
import { sh } from "../shell.js";
import type { GraphPasswordCredential, GraphSecretHolder } from "../azure/graph.js";
import { raise } from "../findings/raise.js";
import type { Finding } from "../findings/model.js";
import { appTarget } from "./rotate.js";
import { daysToMs, isOptedIn, type RotationPolicy } from "./rotation-policy.js";

export interface ScanInput {
  holders: readonly (GraphSecretHolder & { kind: "application" | "servicePrincipal" })[];
  policy: RotationPolicy;
  now: Date;
  /** keyIds a rotation keeps only until the overlap ends. */
  retiring?: ReadonlySet<string>;
  /** keyIds on rotated apps that the rotation does not manage (hand-made, other consumers'): it never replaces them. */
  unmanaged?: ReadonlySet<string>;
}

function day(iso: string | null): string {
  return iso ? iso.slice(0, 10) : "no end date";
}

function describe(p: GraphPasswordCredential): string {
  return `${p.keyId}${p.displayName ? ` "${p.displayName}"` : ""} (expires ${day(p.endDateTime)})`;
}

export function scanSecrets(input: ScanInput): Finding[] {
  const { policy, now } = input;
  const findings: Finding[] = [];
  for (const holder of input.holders) {
    const passwords = holder.passwordCredentials ?? [];
    if (passwords.length === 0) continue;
    const target =
      holder.kind === "application" ? appTarget(holder) : { kind: "servicePrincipal", name: `${holder.displayName} (${holder.appId})` };
    const rotated = holder.kind === "application" && isOptedIn(policy, holder);
    const objectPath = holder.kind === "application" ? "applications" : "servicePrincipals";
    findings.push(
      raise("AG401", {
        target,
        evidence: `${passwords.length} client secret(s): ${passwords.map(describe).join(", ")}`,
        fix: rotated
          ? "Rotation is on for this app. To drop secrets altogether, move its consumers to a federated credential (Workload Identity / GitHub OIDC)."
          : `Prefer a federated credential (no secret). If the secret must stay, opt the app in to rotation (rotation.optIn.appIds: [${holder.appId}]) with a Key Vault mapping.`,
      }),
    );
    for (const p of passwords) {
      if (input.retiring?.has(p.keyId)) continue;
      const end = p.endDateTime ? new Date(p.endDateTime) : undefined;
      const start = p.startDateTime ? new Date(p.startDateTime) : undefined;
      // A secret the rotation does not manage is never replaced by it: the fix is the manual one.
      const rotatedHere = rotated && !input.unmanaged?.has(p.keyId);
      const remove = `az ad ${holder.kind === "application" ? "app" : "sp"} credential delete --id ${sh(holder.appId)} --key-id ${sh(p.keyId)}`;
      if (end && end.getTime() <= now.getTime()) {
        findings.push(
          raise("AG403", {
            target,
            evidence: `client secret ${describe(p)} expired ${Math.floor((now.getTime() - end.getTime()) / 86_400_000)} day(s) ago; consumers get AADSTS7000222`,
            fix: rotatedHere
              ? "The next rotation replaces it; check the AG405 findings if it does not."
              : `Rotate it (opt the app in to rotation), then remove it: ${remove}`,
          }),
        );
      } else if (start && policy.maxAgeDays > 0 && now.getTime() - start.getTime() >= daysToMs(policy.maxAgeDays)) {
        findings.push(
          raise("AG403", {
            target,
            evidence: `client secret ${describe(p)} was created ${day(p.startDateTime)}, more than ${policy.maxAgeDays} days ago (maximum age)`,
            fix: rotatedHere
              ? "The next rotation replaces it."
              : `Rotate it, then remove the old one: ${remove} (Graph: POST /${objectPath}/${holder.id}/removePassword)`,
          }),
        );
      } else if (end && end.getTime() - now.getTime() <= daysToMs(policy.expiryWindowDays)) {
        findings.push(
          raise("AG402", {
            target,
            evidence: `client secret ${describe(p)} expires in ${Math.ceil((end.getTime() - now.getTime()) / 86_400_000)} day(s) (window: ${policy.expiryWindowDays} days)`,
            fix: rotatedHere
              ? "The next rotation replaces it before it expires."
              : `Rotate it before ${day(p.endDateTime)}: opt the app in to rotation, or \`az ad app credential reset --id ${sh(holder.appId)} --append\` and update its consumers.`,
          }),
        );
      }
    }
  }
  return findings;
}
