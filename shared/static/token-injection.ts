/**
 * Does a container get a working Workload Identity? The webhook injects AZURE_FEDERATED_TOKEN_FILE only
 * into pods whose template carries `azure.workload.identity/use: "true"`, and the SDK needs a client id
 * (the ServiceAccount annotation, or the container's own AZURE_CLIENT_ID). Three answers: yes, no, or
 * unknown (the ServiceAccount is not in the manifests) — rules act on yes/no only.
 */
import { knownValue, presenceOf } from "./env.js";
import type { ContainerView, WorkloadView } from "./workloads.js";

export type Tri = "yes" | "no" | "unknown";

export function workloadIdentity(w: WorkloadView, c: ContainerView): Tri {
  if (!w.wiLabelled) return "no";
  if (w.serviceAccount?.clientId) return "yes";
  const own = presenceOf(c.env, "AZURE_CLIENT_ID");
  if (own === "present") return "yes";
  if (!w.serviceAccount) return "unknown";
  return own === "absent" ? "no" : "unknown";
}

export interface ClientIdView {
  /** The client id the SDK will use, when the manifests show it. */
  value?: string;
  /** Where it comes from. */
  from: "container" | "serviceAccount" | "none" | "unknown";
  /** File and line of that declaration. */
  file?: string;
  line?: number;
}

/** The client id a container authenticates as: its own AZURE_CLIENT_ID wins over the ServiceAccount's. */
export function effectiveClientId(w: WorkloadView, c: ContainerView): ClientIdView {
  const own = c.env.effective.get("AZURE_CLIENT_ID");
  if (own && own.presence === "present") {
    const value = knownValue(own)?.trim();
    return { from: "container", file: w.file, line: own.line, ...(value ? { value } : {}) };
  }
  if (presenceOf(c.env, "AZURE_CLIENT_ID") === "unknown") return { from: "unknown" };
  const sa = w.serviceAccount;
  if (sa?.clientId)
    return { value: sa.clientId, from: "serviceAccount", file: sa.file, ...(sa.clientIdLine ? { line: sa.clientIdLine } : {}) };
  return { from: sa ? "none" : "unknown" };
}

export function sameClientId(a: string, b: string): boolean {
  // Client ids are GUIDs; Entra compares them case-insensitively.
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
