/**
 * AG101 (credential literal in env), AG108 (service-principal secret from a Kubernetes Secret),
 * AG111 (credential in a ConfigMap). Evidence names the variable or key and the value's length only.
 */
import { formatTarget, type Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { credentialVariable, isSecretVariable } from "../credential-knowledge.js";
import { credentialFamily, credentialKind, redactedLength, type CredentialFamily } from "../credentials.js";
import { knownValue } from "../env.js";
import { WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "../inventory.js";
import { podIdentityYaml, serviceAccountFor, serviceAccountYaml } from "../fixes.js";
import type { WorkloadView } from "../workloads.js";
import { at, targetOf, type RuleContext } from "./context.js";
import { sh } from "../../shell.js";

/** How to stop needing the exposed credential and revoke it, by whose credential it is. Unknowns are <placeholders>. */
function revokeStep(family: CredentialFamily | undefined, appId: string): string {
  switch (family) {
    case "identity":
      return `Rotate it: \`az ad app credential reset --id ${appId}\` (or delete the secret in the app registration's Certificates & secrets).`;
    case "messaging":
      return `For Service Bus / Event Hubs, drop the shared access key: connect to \`<namespace>.servicebus.windows.net\` with DefaultAzureCredential, give the pod's identity "Azure Service Bus Data Sender" / "Receiver" (or "Azure Event Hubs Data Sender" / "Receiver") on the namespace, then regenerate the exposed key: \`az servicebus namespace authorization-rule keys renew --resource-group <resource-group> --namespace-name <namespace> --name <rule> --key PrimaryKey\`.`;
    case "cosmos":
      return `For Cosmos DB, drop the account key: give the pod's identity a Cosmos DB data-plane role and sign in with DefaultAzureCredential, then regenerate the exposed key: \`az cosmosdb keys regenerate --resource-group <resource-group> --name <account> --key-kind primary\`.`;
    default:
      return `For Blob Storage, drop keys and connection strings: set AZURE_STORAGE_ACCOUNT_NAME, give the pod's identity "Storage Blob Data Contributor" on the account, and let DefaultAzureCredential sign in (then \`az storage account keys renew --account-name <account> --key key1\` to revoke the exposed key).`;
  }
}

function workloadIdentityFix(w: WorkloadView): string {
  const sa = serviceAccountFor(w);
  const saReady = w.serviceAccount?.clientId && w.serviceAccount.name === sa;
  return [
    `Use Workload Identity instead (no secret in the pod): label the pod template${saReady ? "" : " and run it as an annotated ServiceAccount"}:`,
    podIdentityYaml(w, sa),
    ...(saReady ? [] : ["", serviceAccountYaml(w.namespace, sa, w.serviceAccount?.clientId)]),
  ].join("\n");
}

export function ag101(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const w of ctx.model.workloads) {
    for (const c of w.containers) {
      for (const v of c.env.entries) {
        if (v.via !== "env" || v.source.kind !== "literal" || !v.source.credential) continue;
        const what = isSecretVariable(v.name) ? "" : ` holding ${v.source.credential}`;
        const appId = sh(knownValue(c.env.effective.get("AZURE_CLIENT_ID")) ?? knownValue(c.env.effective.get("CLIENT_ID")) ?? "<app-id>");
        out.push(
          raise("AG101", {
            target: targetOf(w),
            location: at(w.file, v.line),
            evidence: `env ${v.name} in container ${c.name} of ${formatTarget(w)} has a literal value${what} (${v.source.length} characters, redacted)`,
            fix: [
              `Delete the \`value:\` of env ${v.name} from container ${c.name} in ${formatTarget(w)}; the credential is in the manifest and its history, so treat it as leaked.`,
              revokeStep(v.source.family, appId),
              workloadIdentityFix(w),
            ].join("\n"),
          }),
        );
      }
    }
  }
  return out;
}

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
          .filter((p) => p !== v && p.source.kind === "secret" && credentialVariable(p.name)?.reader === known?.reader && ["tenant", "clientId"].includes(credentialVariable(p.name)?.role ?? ""))
          .map((p) => p.name);
        const sp = family === "identity" && partners.length > 0 ? ` together with ${[...new Set(partners)].join(" and ")}: a service principal's full sign-in` : "";
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

export function ag111(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const cm of ctx.model.inventory.configMaps.values()) {
    for (const [key, data] of cm.data) {
      const what = credentialKind(key, data.value);
      if (!what) continue;
      out.push(
        raise("AG111", {
          target: { kind: "ConfigMap", namespace: cm.namespace, name: cm.name },
          location: at(cm.file, data.line),
          evidence: `ConfigMap ${cm.namespace}/${cm.name} data key ${key} holds ${what} (${redactedLength(data.value)})`,
          fix: [
            `Delete key ${key} from ConfigMap ${cm.namespace}/${cm.name} (\`kubectl -n ${sh(cm.namespace)} edit configmap ${sh(cm.name)}\` and in the manifest), then rotate the credential: ConfigMaps are plain text and readable by anyone with \`get configmaps\`.`,
            `Store what must stay secret in Key Vault; for Azure access give the pod Workload Identity (ServiceAccount annotated ${WI_CLIENT_ID_ANNOTATION}, pod label ${WI_USE_LABEL}: "true") and an RBAC data role instead of a key.`,
          ].join("\n"),
        }),
      );
    }
  }
  return out;
}
