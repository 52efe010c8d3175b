/** AG202 — the AKS cluster has no OIDC issuer, or Workload Identity is not enabled on it. */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import type { TargetFacts } from "../facts/types.js";
import { azureTarget, couldNotVerify } from "./common.js";
import { aksUpdateCommand } from "./fix-commands.js";

export function ag202(facts: TargetFacts): Finding[] {
  const cluster = facts.cluster;
  if (!cluster) return [];
  const target = azureTarget(facts.clusterId ?? "cluster");
  if (!cluster.ok)
    return [
      couldNotVerify("AG202", target, "reading the AKS cluster's OIDC issuer and Workload Identity settings", [
        { what: `managed cluster ${facts.clusterId ?? ""}`, error: cluster.error },
      ]),
    ];
  const c = cluster.value;
  if (c.source !== "arm") return [];
  const missing: string[] = [];
  const flags: string[] = [];
  if (!c.oidcIssuerEnabled || !c.issuerUrl) {
    missing.push("the OIDC issuer is not enabled (oidcIssuerProfile.enabled is false, no issuerURL)");
    flags.push("--enable-oidc-issuer");
  }
  if (!c.workloadIdentityEnabled) {
    missing.push("Workload Identity is not enabled (securityProfile.workloadIdentity.enabled is not true)");
    flags.push("--enable-workload-identity");
  }
  if (missing.length === 0) return [];
  return [
    raise("AG202", {
      target: azureTarget(c.id ?? target.name),
      evidence: `cluster '${c.name ?? ""}': ${missing.join("; ")}`,
      fix: aksUpdateCommand(c.resourceGroup ?? "<resource-group>", c.name ?? "<cluster>", flags, c.subscriptionId),
    }),
  ];
}
