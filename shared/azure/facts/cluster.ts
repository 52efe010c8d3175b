/** The AKS cluster: OIDC issuer URL (exactly as served), Workload Identity flag, node subnets. */
import type { ClusterConfig } from "../../config/schema.js";
import type { FactContext } from "./fact-context.js";
import { factKeys } from "./keys.js";
import type { ClusterFact, Fetched } from "./types.js";

export function clusterId(cfg: ClusterConfig): string | undefined {
  return "name" in cfg
    ? `/subscriptions/${cfg.subscription}/resourceGroups/${cfg.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${cfg.name}`
    : undefined;
}

export function clusterFact(ctx: FactContext, cfg: ClusterConfig): Promise<Fetched<ClusterFact>> {
  if (!("name" in cfg)) return Promise.resolve({ ok: true, value: { source: "config", issuerUrl: cfg.issuerUrl, subnetIds: [] } });
  return ctx.fetch(factKeys.cluster(clusterId(cfg) ?? ""), async () =>
    clusterFactFromArm(await ctx.clients.containerService(cfg.subscription).managedClusters.get(cfg.resourceGroup, cfg.name), cfg),
  );
}

/** The fields of an ARM managed cluster (a GET, or one item of a subscription listing) the rules read. */
export interface ArmManagedCluster {
  id?: string;
  name?: string;
  agentPoolProfiles?: { vnetSubnetID?: string }[];
  oidcIssuerProfile?: { enabled?: boolean; issuerURL?: string };
  securityProfile?: { workloadIdentity?: { enabled?: boolean } };
}

export function clusterFactFromArm(mc: ArmManagedCluster, cfg: { subscription: string; resourceGroup: string; name: string }): ClusterFact {
  const subnets = (mc.agentPoolProfiles ?? []).flatMap((p) => (p.vnetSubnetID ? [p.vnetSubnetID] : []));
  return {
    source: "arm",
    id: mc.id ?? clusterId(cfg),
    name: mc.name ?? cfg.name,
    resourceGroup: cfg.resourceGroup,
    subscriptionId: cfg.subscription,
    oidcIssuerEnabled: mc.oidcIssuerProfile?.enabled === true,
    workloadIdentityEnabled: mc.securityProfile?.workloadIdentity?.enabled === true,
    subnetIds: [...new Set(subnets)],
    ...(mc.oidcIssuerProfile?.issuerURL ? { issuerUrl: mc.oidcIssuerProfile.issuerURL } : {}),
  };
}
