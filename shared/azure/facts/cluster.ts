/** The AKS cluster: OIDC issuer URL (exactly as served), Workload Identity flag, node subnets. */
import type { ClusterConfig } from "../../config/schema.js";
import type { FactContext } from "./context.js";
import type { ClusterFact, Fetched } from "./types.js";

export function clusterId(cfg: ClusterConfig): string | undefined {
  return "name" in cfg ? `/subscriptions/${cfg.subscription}/resourceGroups/${cfg.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${cfg.name}` : undefined;
}

export function clusterFact(ctx: FactContext, cfg: ClusterConfig): Promise<Fetched<ClusterFact>> {
  if (!("name" in cfg)) return Promise.resolve({ ok: true, value: { source: "config", issuerUrl: cfg.issuerUrl, subnetIds: [] } });
  return ctx.fetch(`aks/${clusterId(cfg) ?? ""}`, async () => {
    const mc = await ctx.clients.containerService(cfg.subscription).managedClusters.get(cfg.resourceGroup, cfg.name);
    const subnets = (mc.agentPoolProfiles ?? []).flatMap((p) => (p.vnetSubnetID ? [p.vnetSubnetID] : []));
    const fact: ClusterFact = {
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
    return fact;
  });
}
