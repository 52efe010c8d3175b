/** AG213 — a needed Key Vault secret is missing, disabled, or expired (properties only; values are never read). */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import type { KeyVaultNeedFacts, TargetFacts } from "../facts/types.js";
import { azureTarget, couldNotVerify, describeWorkload, editDistance } from "./common.js";
import { sh } from "../../shell.js";
import { secretScope } from "../arm-id.js";

function nearestName(wanted: string, names: readonly string[]): string | undefined {
  const best = [...names].sort(
    (a, b) => editDistance(a.toLowerCase(), wanted.toLowerCase()) - editDistance(b.toLowerCase(), wanted.toLowerCase()),
  )[0];
  return best !== undefined && editDistance(best.toLowerCase(), wanted.toLowerCase()) <= Math.max(2, Math.floor(wanted.length / 4))
    ? best
    : undefined;
}

function vaultFindings(facts: TargetFacts, k: KeyVaultNeedFacts): Finding[] {
  const who = describeWorkload(facts.target);
  const vault = k.vault.resource;
  if (!vault) {
    const wanted = k.vault.wanted;
    if (k.vault.unreadable.length > 0)
      return [couldNotVerify("AG213", azureTarget(wanted), `finding vault '${wanted}' for ${who}`, k.vault.unreadable)];
    return [
      raise("AG213", {
        target: azureTarget(wanted),
        evidence: `vault '${wanted}' was not found in subscription(s) ${k.vault.searchedSubscriptions.join(", ") || "(none configured)"}, so secrets ${k.need.secrets.map((s) => `'${s}'`).join(", ")} cannot be read — ${who}`,
        fix: `Fix the vault name in azure-auth-gate.yml, add its subscription to \`subscriptions\`, or create it: az keyvault create --name ${sh(wanted)} --resource-group <resource-group> --enable-rbac-authorization true`,
      }),
    ];
  }
  if (!k.secrets) return [];
  if (!k.secrets.ok) {
    return [
      couldNotVerify(
        "AG213",
        azureTarget(vault.id),
        `listing the properties of secrets ${k.need.secrets.map((s) => `'${s}'`).join(", ")} in vault '${vault.name}' for ${who}`,
        [{ what: `secret properties of vault ${vault.name}`, error: k.secrets.error }],
      ),
    ];
  }
  const byName = new Map(k.secrets.value.map((s) => [s.name.toLowerCase(), s]));
  const out: Finding[] = [];
  const now = facts.now.getTime();
  for (const name of k.need.secrets) {
    const s = byName.get(name.toLowerCase());
    const target = azureTarget(secretScope(vault.id, name));
    if (!s) {
      const near = nearestName(
        name,
        k.secrets.value.map((x) => x.name),
      );
      out.push(
        raise("AG213", {
          target,
          evidence: `secret '${name}' does not exist in vault '${vault.name}'${near ? ` (nearest existing name: '${near}')` : ""} — ${who}`,
          fix: near
            ? `Fix the secret name ('${near}'?) in the app and azure-auth-gate.yml, or create it: az keyvault secret set --vault-name ${sh(vault.name)} --name ${sh(name)} --file <file-with-the-value>`
            : `az keyvault secret set --vault-name ${sh(vault.name)} --name ${sh(name)} --file <file-with-the-value>`,
        }),
      );
    } else if (!s.enabled) {
      out.push(
        raise("AG213", {
          target,
          evidence: `secret '${name}' in vault '${vault.name}' is disabled (its current version answers 403 SecretDisabled) — ${who}`,
          fix: `az keyvault secret set-attributes --vault-name ${sh(vault.name)} --name ${sh(name)} --enabled true`,
        }),
      );
    } else if (s.expiresOn && Date.parse(s.expiresOn) <= now) {
      out.push(
        raise("AG213", {
          target,
          evidence: `secret '${name}' in vault '${vault.name}' expired at ${s.expiresOn} — ${who}`,
          fix: `Rotate the value (az keyvault secret set --vault-name ${sh(vault.name)} --name ${sh(name)} --file <new-value-file> --expires <date>) or extend it: az keyvault secret set-attributes --vault-name ${sh(vault.name)} --name ${sh(name)} --expires ${new Date(now + 365 * 86_400_000).toISOString().slice(0, 19)}Z`,
        }),
      );
    }
  }
  return out;
}

export function ag213(facts: TargetFacts): Finding[] {
  return facts.keyVault.flatMap((k) => vaultFindings(facts, k));
}
