/**
 * Scenario parts for one app's Workload Identity wiring, the way the gate tests' correct scenario and the
 * benchmarks' generated tenant both lay it out: the app's ServiceAccount names identity `<app>-id`, that
 * identity trusts the ServiceAccount on the cluster, and may read one Blob container and one vault's secrets.
 */
import type { z } from "zod";
import type { identitySchema, roleAssignmentSchema } from "./schema.js";

/** `app`'s ServiceAccount in `namespace`, annotated with the client id of identity `<app>-id` (resolved by the sandbox). */
export function workloadServiceAccount(app: string, namespace: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: {
      name: app,
      namespace,
      annotations: { "azure.workload.identity/client-id": `{{identity:${app}-id.clientId}}` },
    },
  };
}

/** Identity `<app>-id`, federated with `app`'s ServiceAccount in `namespace` on `cluster`. */
export function workloadIdentity(app: string, namespace: string, cluster: string): z.input<typeof identitySchema> {
  return {
    name: `${app}-id`,
    federatedCredentials: [{ name: `aks-${app}`, issuer: `cluster:${cluster}`, subject: `system:serviceaccount:${namespace}:${app}` }],
  };
}

/** Identity `<app>-id` may read `container` of storage `account` and the secrets of `vault`. */
export function workloadRoles(
  app: string,
  data: { account: string; container: string; vault: string },
): z.input<typeof roleAssignmentSchema>[] {
  return [
    { principal: `identity:${app}-id`, role: "Storage Blob Data Reader", scope: `storage:${data.account}/containers/${data.container}` },
    { principal: `identity:${app}-id`, role: "Key Vault Secrets User", scope: `vault:${data.vault}` },
  ];
}
