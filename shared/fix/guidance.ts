/**
 * Literal credentials (AG101 in a container's env, AG111 in a ConfigMap) are never "fixed" by deleting
 * them: the value is already exposed (the manifest, its Git history, `kubectl get`), and deleting it
 * silently would only break the app. The fix prints what to do instead — rotate it, then keep it in
 * Key Vault and reference it (a Secrets Store CSI SecretProviderClass, or an app-side fetch) — with
 * the user's names. It never prints the value: the static model does not even keep it.
 */
import { formatTarget, type Finding } from "../findings/model.js";

import type { Plan, PlanContext } from "./plan-context.js";
import { workloadOf } from "./plan-context.js";
import { sh } from "../shell.js";

/** Key Vault secret names allow letters, digits and dashes. */
function objectName(key: string): string {
  return (
    key
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "") || "secret"
  );
}

function vaultName(ctx: PlanContext): string {
  const vaults = new Set(ctx.config.targets.flatMap((t) => (t.keyVault ?? []).map((k) => k.vault.split("/").pop() ?? k.vault)));
  return vaults.size === 1 ? ([...vaults][0] ?? "<key-vault-name>") : "<key-vault-name>";
}

function secretProviderClass(
  ctx: PlanContext,
  name: string,
  namespace: string,
  clientId: string | undefined,
  objects: ReadonlyArray<{ key: string; object: string }>,
): string[] {
  return [
    "apiVersion: secrets-store.csi.x-k8s.io/v1",
    "kind: SecretProviderClass",
    "metadata:",
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    "spec:",
    "  provider: azure",
    "  parameters:",
    `    clientID: "${clientId ?? "<client id of the pod's workload identity>"}"`,
    `    keyvaultName: ${vaultName(ctx)}`,
    `    tenantId: "${ctx.config.tenantId ?? "<tenant id>"}"`,
    "    objects: |",
    "      array:",
    ...objects.flatMap((o) => ["        - |", `          objectName: ${o.object}`, "          objectType: secret"]),
    "  secretObjects:",
    `    - secretName: ${name}`,
    "      type: Opaque",
    "      data:",
    ...objects.flatMap((o) => [`        - objectName: ${o.object}`, `          key: ${o.key}`]),
  ];
}

function storeSteps(ctx: PlanContext, object: string): string {
  return `Store the NEW value in Key Vault without putting it on a command line: \`az keyvault secret set --vault-name ${sh(vaultName(ctx))} --name ${sh(object)} --file '<file holding the new value>'\`.`;
}

function ag101(ctx: PlanContext, f: Finding): Plan {
  const w = workloadOf(ctx, f);
  const hit = w?.containers.flatMap((c) =>
    c.env.entries.filter((v) => v.line === f.location?.line && v.source.kind === "literal").map((v) => ({ c, v })),
  )[0];
  if (!w || !hit) return { todo: "the literal was not found" };
  const { c, v } = hit;
  const object = objectName(v.name);
  const spc = `${w.name}-kv`;
  const identitySecret = v.source.kind === "literal" && v.source.family === "identity";
  return {
    todo: `env ${v.name} of container ${c.name} holds a literal credential: it is not deleted silently — rotate it, then reference it from Key Vault`,
    guidance: [
      `1. Rotate it now: the value is in the manifest and in its Git history. ${
        identitySecret
          ? "For a client secret: create a new one and delete the old one in the app registration (Certificates & secrets)."
          : "For a storage key: `az storage account keys renew --account-name <account> --key key1` (then key2); for a Service Bus / Event Hubs key: `az servicebus namespace authorization-rule keys renew --resource-group <resource-group> --namespace-name <namespace> --name <rule> --key PrimaryKey`."
      }`,
      `2. Better: do not keep a credential at all — give ${formatTarget(w)} Workload Identity and an RBAC role (see the finding's fix).`,
      `3. If the value must stay, keep it in Key Vault. ${storeSteps(ctx, object)}`,
      `   Sync it into the pod with the Secrets Store CSI driver:`,
      ...secretProviderClass(ctx, spc, w.namespace, w.serviceAccount?.clientId, [{ key: v.name, object }]).map((l) => `     ${l}`),
      `   mount it (volume csi: { driver: secrets-store.csi.k8s.io, readOnly: true, volumeAttributes: { secretProviderClass: ${spc} } }) and replace the literal with:`,
      `     - name: ${v.name}`,
      `       valueFrom:`,
      `         secretKeyRef: { name: ${spc}, key: ${v.name} }`,
      `   Or fetch it in the app: SecretClient("https://${vaultName(ctx)}.vault.azure.net", DefaultAzureCredential()).get_secret("${object}").`,
    ].join("\n"),
  };
}

function ag111(ctx: PlanContext, f: Finding): Plan {
  const cm = [...ctx.model.inventory.configMaps.values()].find(
    (x) => x.file === f.location?.file && x.name === f.target.name && x.namespace === f.target.namespace,
  );
  const key = cm ? [...cm.data].find(([, d]) => d.line === f.location?.line)?.[0] : undefined;
  if (!cm || key === undefined) return { todo: "the ConfigMap key was not found" };
  const object = objectName(key);
  const spc = `${cm.name}-kv`;
  return {
    todo: `ConfigMap ${cm.namespace}/${cm.name} key ${key} holds a credential: it is not deleted silently — rotate it, then reference it from Key Vault`,
    guidance: [
      `1. Rotate it now: ConfigMaps are plain text (readable with \`get configmaps\`) and the value is in your Git history.`,
      `2. ${storeSteps(ctx, object)}`,
      `3. Sync it with the Secrets Store CSI driver and read it from the synced Secret instead of the ConfigMap:`,
      ...secretProviderClass(ctx, spc, cm.namespace, undefined, [{ key, object }]).map((l) => `     ${l}`),
      `   then delete key ${key} from ConfigMap ${cm.name}; pods that used \`envFrom: configMapRef: ${cm.name}\` add \`- secretRef: { name: ${spc} }\`.`,
    ].join("\n"),
  };
}

export function planCredentialGuidance(ctx: PlanContext, f: Finding): Plan | undefined {
  if (f.id === "AG101") return ag101(ctx, f);
  if (f.id === "AG111") return ag111(ctx, f);
  return undefined;
}
