/**
 * Microsoft.ContainerService/managedClusters: what the gate reads from AKS (OIDC issuer, Workload
 * Identity, node subnet, network profile) and the user kubeconfig (`listClusterUserCredential`).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { SandboxResponse } from "../../contract.js";
import type { ClusterState } from "../../state.js";
import { AKS_API_VERSIONS } from "./api-versions.js";
import { ArmError, authorize, json, type ArmCall } from "./common.js";
import { defineKind, type ResourceTarget } from "./kind.js";

/** Entra application of the AKS-managed AAD server: the audience of tokens the Kubernetes API accepts. */
export const AKS_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

function clusterJson(call: ArmCall, c: ClusterState): Record<string, unknown> {
  const nodeResourceGroup = `MC_${c.resourceGroup}_${c.name}_${c.location}`;
  const fqdn = `${c.name}-dns-${c.subscriptionId.slice(0, 8)}.hcp.${c.location}.azmk8s.io`;
  const securityProfile: Record<string, unknown> = {};
  // A cluster that never enabled Workload Identity has no `workloadIdentity` block at all.
  if (c.workloadIdentityEnabled) securityProfile.workloadIdentity = { enabled: true };
  return {
    id: c.id,
    location: c.location,
    name: c.name,
    type: "Microsoft.ContainerService/ManagedClusters",
    tags: {},
    sku: { name: "Base", tier: "Free" },
    properties: {
      provisioningState: "Succeeded",
      powerState: { code: "Running" },
      kubernetesVersion: "1.31.2",
      currentKubernetesVersion: "1.31.2",
      dnsPrefix: `${c.name}-dns`,
      fqdn,
      azurePortalFQDN: fqdn.replace(".hcp.", ".portal.hcp."),
      agentPoolProfiles: [
        {
          name: "nodepool1",
          count: 3,
          vmSize: "Standard_DS2_v2",
          osDiskSizeGB: 128,
          osType: "Linux",
          osSKU: "Ubuntu",
          mode: "System",
          type: "VirtualMachineScaleSets",
          maxPods: 110,
          provisioningState: "Succeeded",
          powerState: { code: "Running" },
          orchestratorVersion: "1.31.2",
          ...(c.subnetId ? { vnetSubnetID: c.subnetId } : {}),
        },
      ],
      nodeResourceGroup,
      enableRBAC: true,
      networkProfile: {
        networkPlugin: "azure",
        networkPolicy: "none",
        loadBalancerSku: "standard",
        outboundType: "loadBalancer",
        serviceCidr: "10.0.0.0/16",
        dnsServiceIP: "10.0.0.10",
        loadBalancerProfile: {
          managedOutboundIPs: { count: 1 },
          effectiveOutboundIPs: [
            {
              id: `/subscriptions/${c.subscriptionId}/resourceGroups/${nodeResourceGroup}/providers/Microsoft.Network/publicIPAddresses/${c.name}-egress`,
            },
          ],
        },
      },
      // What AKS answers for a managed-identity cluster (az aks show reads it unconditionally).
      servicePrincipalProfile: { clientId: "msi" },
      oidcIssuerProfile: c.oidcIssuerEnabled && c.issuerUrl ? { enabled: true, issuerURL: c.issuerUrl } : { enabled: false },
      securityProfile,
      aadProfile: { managed: true, enableAzureRBAC: false, tenantID: call.ctx.state.tenantId },
      disableLocalAccounts: true,
    },
  };
}

/**
 * The CA that signs the sandbox's TLS certificate, for the kubeconfig: from the certificate directory
 * the sandbox exports (AAG_SANDBOX_CERT_DIR/cert.pem), else the file Node was told to trust.
 */
function sandboxCaPem(): string | undefined {
  const candidates = [
    process.env.AAG_SANDBOX_CERT_DIR ? join(process.env.AAG_SANDBOX_CERT_DIR, "cert.pem") : undefined,
    process.env.NODE_EXTRA_CA_CERTS,
  ];
  for (const file of candidates) {
    if (!file) continue;
    try {
      return readFileSync(file, "utf8");
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/**
 * The clusterUser kubeconfig. AKS-managed-AAD clusters hand out an `exec: kubelogin` user; kubelogin is
 * not available here, so the user carries a `token:` placeholder instead: the product must replace it
 * with an Entra access token for the AKS server application (scope `6dae42f8-4368-4678-94ff-3960e28e3630/.default`),
 * which is exactly what kubelogin would have fetched.
 */
export function userKubeconfig(call: ArmCall, c: ClusterState): string {
  const user = `clusterUser_${c.resourceGroup}_${c.name}`;
  const ca = sandboxCaPem();
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: c.name,
        cluster: {
          server: `${call.ctx.urls.kubernetes}/clusters/${c.name}`,
          ...(ca ? { "certificate-authority-data": Buffer.from(ca, "utf8").toString("base64") } : {}),
        },
      },
    ],
    contexts: [{ name: c.name, context: { cluster: c.name, user } }],
    "current-context": c.name,
    preferences: {},
    users: [{ name: user, user: { token: `REPLACE_WITH_ENTRA_ACCESS_TOKEN_FOR_${AKS_SERVER_APP_ID}` } }],
  });
}

function clusterChild(call: ArmCall, target: ResourceTarget<ClusterState>, rest: string[]): SandboxResponse {
  const [action, ...more] = rest;
  if (call.req.method === "POST" && more.length === 0 && action?.toLowerCase() === "listclusterusercredential") {
    authorize(call, "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action", target.requestId);
    const cluster = target.resolve();
    return json(200, {
      kubeconfigs: [{ name: "clusterUser", value: Buffer.from(userKubeconfig(call, cluster), "utf8").toString("base64") }],
    });
  }
  if (call.req.method === "POST" && more.length === 0 && action?.toLowerCase() === "listclusteradmincredential") {
    authorize(call, "Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action", target.requestId);
    target.resolve();
    throw new ArmError(
      400,
      "BadRequest",
      "Getting static credential is not allowed because this cluster is set to disable local accounts.",
    );
  }
  throw new ArmError(
    404,
    "NotFound",
    `The sandbox does not emulate '${call.req.method} …/managedClusters/${target.name}/${rest.join("/")}'.`,
  );
}

export const managedClusters = defineKind<ClusterState>({
  namespace: "Microsoft.ContainerService",
  type: "managedClusters",
  apiVersions: AKS_API_VERSIONS,
  all: (state) => state.clusters,
  toJson: clusterJson,
  child: clusterChild,
});
