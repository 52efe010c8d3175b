/** Pure AG2xx rules: facts in → findings out, one broken fact at a time. */
import { describe, expect, it } from "vitest";
import { evaluateControlPlane } from "../../shared/azure/rules/index.js";
import { isUnverified } from "../../shared/azure/rules/common.js";
import type { Finding } from "../../shared/findings/model.js";
import {
  ACCOUNT_ID,
  assignment,
  CLIENT_ID,
  CONTAINER_ID,
  goodFacts,
  IDENTITY_ID,
  ISSUER,
  NOW,
  PRINCIPAL_ID,
  RG_ID,
  ROLES,
  SUB,
  SUBNET_ID,
  VAULT_ID,
  withAssignments,
} from "./facts-fixtures.js";

function only(findings: Finding[], id: string): Finding {
  const hits = findings.filter((f) => f.id === id);
  expect(
    hits.map((f) => f.id),
    JSON.stringify(
      findings.map((f) => [f.id, f.evidence]),
      null,
      1,
    ),
  ).toEqual([id]);
  return hits[0]!;
}

const ids = (fs: Finding[]) => fs.map((f) => f.id).sort();

describe("the good target", () => {
  it("raises nothing", () => {
    expect(evaluateControlPlane(goodFacts())).toEqual([]);
  });
});

describe("AG201 identity by client id", () => {
  it("fires when no identity has the client id, and spots a principal id pasted as client id", () => {
    const f = goodFacts();
    const real = f.identity.identity!;
    f.identity = { clientId: PRINCIPAL_ID, principalIdMatch: real, searchedSubscriptions: [SUB], unreadable: [] };
    const finding = only(evaluateControlPlane(f), "AG201");
    expect(finding.evidence).toContain(`principal (object) id of identity 'backend-id', not its client id ${CLIENT_ID}`);
    expect(finding.fix).toBe(
      `kubectl annotate serviceaccount --namespace production backend azure.workload.identity/client-id=${CLIENT_ID} --overwrite`,
    );
    expect(finding.target).toEqual({ kind: "Deployment", namespace: "production", name: "backend" });
  });

  it("fails closed when a subscription could not be searched", () => {
    const f = goodFacts();
    f.identity = {
      clientId: CLIENT_ID,
      searchedSubscriptions: [SUB],
      unreadable: [
        { what: `user-assigned identities in subscription ${SUB}`, error: { status: 403, code: "AuthorizationFailed", message: "no" } },
      ],
    };
    const finding = only(evaluateControlPlane(f), "AG201");
    expect(finding.severity).toBe("error");
    expect(finding.evidence).toMatch(/^could not verify: HTTP 403 AuthorizationFailed reading user-assigned identities/);
    expect(isUnverified(finding)).toBe(true);
  });

  it('a ServiceAccount with no client id at all is AG216, not "no identity has the ServiceAccount\'s client id"', () => {
    const f = goodFacts();
    delete f.target.clientId;
    f.identity = { clientId: undefined, searchedSubscriptions: [SUB], unreadable: [] };
    delete f.federatedCredentials;
    delete f.rbac;
    const findings = evaluateControlPlane(f);
    expect(findings.filter((x) => x.id === "AG201")).toEqual([]);
    const ag216 = only(findings, "AG216");
    expect(ag216.title).toBe("ServiceAccount names no client id");
    expect(ag216.evidence).toContain("has no azure.workload.identity/client-id annotation and the config sets no clientId");
    expect(ag216.fix).toBe(
      'kubectl annotate serviceaccount --namespace production backend azure.workload.identity/client-id="<client id of the workload\'s user-assigned identity>" --overwrite',
    );
  });
});

describe("AG202 cluster", () => {
  it("fires when Workload Identity is off, with only the missing flag in the fix", () => {
    const f = goodFacts();
    if (f.cluster?.ok) f.cluster.value.workloadIdentityEnabled = false;
    const finding = only(evaluateControlPlane(f), "AG202");
    expect(finding.fix).toBe(`az aks update --resource-group rg-aks --name aks-prod --subscription ${SUB} --enable-workload-identity`);
  });

  it("fires when the OIDC issuer is off (and the federation rules stay silent)", () => {
    const f = goodFacts();
    f.cluster = {
      ok: true,
      value: {
        source: "arm",
        id: "x",
        name: "aks-prod",
        resourceGroup: "rg-aks",
        subscriptionId: SUB,
        oidcIssuerEnabled: false,
        workloadIdentityEnabled: false,
        subnetIds: [],
      },
    };
    const finding = only(evaluateControlPlane(f), "AG202");
    expect(finding.fix).toContain("--enable-oidc-issuer --enable-workload-identity");
  });

  it("fails closed when the cluster cannot be read", () => {
    const f = goodFacts();
    f.cluster = { ok: false, error: { status: 500, code: "InternalServerError", message: "boom" } };
    const finding = only(evaluateControlPlane(f), "AG202");
    expect(finding.evidence).toContain("could not verify: HTTP 500 InternalServerError");
  });
});

describe("AG203–AG206 federation", () => {
  it("AG203: no credential at all → create with the cluster's exact issuer", () => {
    const f = goodFacts();
    f.federatedCredentials = { ok: true, value: [] };
    const finding = only(evaluateControlPlane(f), "AG203");
    expect(finding.fix).toBe(
      `az identity federated-credential create --name production-backend --identity-name backend-id --resource-group rg-app --subscription ${SUB} --issuer ${ISSUER} --subject system:serviceaccount:production:backend --audiences api://AzureADTokenExchange`,
    );
    expect(finding.target).toEqual({ kind: "azure", name: IDENTITY_ID });
  });

  it("AG204: the subject names 'prod' while the pod runs in 'production'", () => {
    const f = goodFacts();
    f.federatedCredentials = {
      ok: true,
      value: [
        { name: "backend-fic", issuer: ISSUER, subject: "system:serviceaccount:prod:backend", audiences: ["api://AzureADTokenExchange"] },
      ],
    };
    const finding = only(evaluateControlPlane(f), "AG204");
    expect(finding.evidence).toContain(
      "federated credential 'backend-fic' subject is 'system:serviceaccount:prod:backend'; the pod runs as 'system:serviceaccount:production:backend'",
    );
    expect(finding.evidence).toContain("namespace 'prod' ≠ 'production'");
    expect(finding.fix).toContain(
      "az identity federated-credential create --name production-backend --identity-name backend-id --resource-group rg-app",
    );
    expect(finding.fix).toContain(
      `--issuer ${ISSUER} --subject system:serviceaccount:production:backend --audiences api://AzureADTokenExchange`,
    );
  });

  it("AG204: says when the subject matches only case-insensitively", () => {
    const f = goodFacts();
    f.federatedCredentials = {
      ok: true,
      value: [
        {
          name: "backend-fic",
          issuer: ISSUER,
          subject: "system:serviceaccount:Production:backend",
          audiences: ["api://AzureADTokenExchange"],
        },
      ],
    };
    const finding = only(evaluateControlPlane(f), "AG204");
    expect(finding.evidence).toContain("matches only case-insensitively");
    expect(finding.evidence).toContain("AADSTS7002138");
    expect(finding.fix).toContain("federated-credential update --name backend-fic");
  });

  it("AG205: the issuer lacks the trailing slash", () => {
    const f = goodFacts();
    f.federatedCredentials = {
      ok: true,
      value: [
        {
          name: "backend-fic",
          issuer: ISSUER.slice(0, -1),
          subject: "system:serviceaccount:production:backend",
          audiences: ["api://AzureADTokenExchange"],
        },
      ],
    };
    const finding = only(evaluateControlPlane(f), "AG205");
    expect(finding.evidence).toContain("trailing '/'");
    expect(finding.fix).toContain(
      `federated-credential update --name backend-fic --identity-name backend-id --resource-group rg-app --subscription ${SUB} --issuer ${ISSUER}`,
    );
  });

  it("AG206: the audience is wrong", () => {
    const f = goodFacts();
    f.federatedCredentials = {
      ok: true,
      value: [
        {
          name: "backend-fic",
          issuer: ISSUER,
          subject: "system:serviceaccount:production:backend",
          audiences: ["api://AzureADTokenExchangeX"],
        },
      ],
    };
    expect(only(evaluateControlPlane(f), "AG206").evidence).toContain("'api://AzureADTokenExchangeX'");
  });

  it("an exact credential among near-misses passes (Entra needs just one match)", () => {
    const f = goodFacts();
    if (f.federatedCredentials?.ok)
      f.federatedCredentials.value.unshift({
        name: "old",
        issuer: ISSUER,
        subject: "system:serviceaccount:prod:backend",
        audiences: ["api://AzureADTokenExchange"],
      });
    expect(evaluateControlPlane(f)).toEqual([]);
  });

  it("app registrations get the `az ad app federated-credential` fix", () => {
    const f = goodFacts();
    f.identity.identity = { kind: "application", id: "app-object-id", name: "backend-app", clientId: CLIENT_ID, principalId: PRINCIPAL_ID };
    f.federatedCredentials = { ok: true, value: [] };
    const finding = only(evaluateControlPlane(f), "AG203");
    expect(finding.fix).toMatch(
      /^az ad app federated-credential create --id aaaaaaaa-0000-0000-0000-000000000001 --parameters '\{"name":"production-backend","issuer":"https:/,
    );
    expect(finding.target).toEqual({ kind: "application", name: CLIENT_ID });
  });
});

describe("AG207 Blob data role", () => {
  it("fires when only Contributor (control plane) covers the container, with the narrowest-scope fix", () => {
    const f = withAssignments(goodFacts(), [
      assignment(ROLES.contributor!, `/subscriptions/${SUB}/resourceGroups/rg-other`),
      assignment(ROLES.secretsUser!, VAULT_ID),
      assignment(ROLES.contributor!, RG_ID),
    ]);
    const findings = evaluateControlPlane(f);
    const finding = only(
      findings.filter((x) => x.id !== "AG209"),
      "AG207",
    );
    expect(finding.evidence).toContain("'Contributor' at " + RG_ID + " covers the scope but grants no …/containers/blobs/read");
    expect(finding.fix).toBe(
      `az role assignment create --assignee-object-id ${PRINCIPAL_ID} --assignee-principal-type ServicePrincipal --role 'Storage Blob Data Reader' --scope ${CONTAINER_ID}`,
    );
    expect(finding.target).toEqual({ kind: "azure", name: CONTAINER_ID });
  });

  it("names a data role assigned on another container as the near-miss", () => {
    const f = withAssignments(goodFacts(), [
      assignment(ROLES.reader!, `${ACCOUNT_ID}/blobServices/default/containers/static`),
      assignment(ROLES.secretsUser!, VAULT_ID),
    ]);
    expect(only(evaluateControlPlane(f), "AG207").evidence).toContain(
      "'Storage Blob Data Reader' is assigned at " + `${ACCOUNT_ID}/blobServices/default/containers/static, which does not cover`,
    );
  });

  it("write access needs blobs/write too: Reader is not enough", () => {
    const f = goodFacts();
    f.target.blob[0]!.access = "write";
    f.blob[0]!.need.access = "write";
    const finding = only(evaluateControlPlane(f), "AG207");
    expect(finding.evidence).toContain("…/containers/blobs/write");
    expect(finding.evidence).not.toContain("blobs/read and");
    expect(finding.fix).toContain("--role 'Storage Blob Data Contributor'");
  });

  it("notDataActions subtract within the block: Microsoft.Storage/* minus blobs/read does not grant read", () => {
    const f = withAssignments(goodFacts(), [assignment(ROLES.blobStar!, ACCOUNT_ID), assignment(ROLES.secretsUser!, VAULT_ID)]);
    only(evaluateControlPlane(f), "AG207");
  });

  it("inherits from the resource group and compares ARM ids case-insensitively", () => {
    const f = withAssignments(goodFacts(), [
      assignment(ROLES.reader!, RG_ID.toUpperCase().replace("SUBSCRIPTIONS", "subscriptions")),
      assignment(ROLES.secretsUser!, VAULT_ID),
    ]);
    expect(evaluateControlPlane(f)).toEqual([]);
  });

  it("a management-group assignment listed for the subscription covers it", () => {
    const f = withAssignments(goodFacts(), [
      assignment(ROLES.reader!, "/providers/Microsoft.Management/managementGroups/platform"),
      assignment(ROLES.secretsUser!, VAULT_ID),
    ]);
    expect(evaluateControlPlane(f)).toEqual([]);
  });

  it("fails closed (error, 'could not verify') when the assignment listing failed", () => {
    const f = goodFacts();
    f.rbac!.assignments.set(SUB, { ok: false, error: { status: 429, code: "TooManyRequests", message: "slow down" } });
    const findings = evaluateControlPlane(f);
    expect(ids(findings)).toEqual(["AG207", "AG208"]);
    for (const x of findings) {
      expect(x.severity).toBe("error");
      expect(x.evidence).toMatch(/^could not verify: HTTP 429 TooManyRequests reading role assignments/);
    }
  });

  it("fails closed when a referenced role definition could not be read", () => {
    const f = goodFacts();
    f.rbac!.definitions.set(ROLES.reader!.name, { ok: false, error: { status: 503, message: "unavailable" } });
    expect(only(evaluateControlPlane(f), "AG207").evidence).toContain("could not verify: HTTP 503 reading role definition");
  });
});

describe("AG208 Key Vault secrets", () => {
  it("RBAC vault without getSecret → Key Vault Secrets User at the secret's scope", () => {
    const f = withAssignments(goodFacts(), [assignment(ROLES.reader!, CONTAINER_ID)]);
    const finding = only(evaluateControlPlane(f), "AG208");
    expect(finding.fix).toBe(
      `az role assignment create --assignee-object-id ${PRINCIPAL_ID} --assignee-principal-type ServicePrincipal --role 'Key Vault Secrets User' --scope ${VAULT_ID}/secrets/django-secret-key`,
    );
  });

  it("access-policy vault: RBAC roles do not count; the policy needs get", () => {
    const f = goodFacts();
    const vault = f.keyVault[0]!.vault.resource!;
    vault.enableRbacAuthorization = false;
    vault.accessPolicies = [{ tenantId: "t", objectId: PRINCIPAL_ID, secrets: ["list"] }];
    const finding = only(evaluateControlPlane(f), "AG208");
    expect(finding.evidence).toContain("uses access policies");
    expect(finding.evidence).toContain("grants secret permissions [list]");
    expect(finding.fix).toBe(
      `az keyvault set-policy --name kv-app --object-id ${PRINCIPAL_ID} --secret-permissions list get --subscription ${SUB}`,
    );
  });

  it("access-policy vault with get (or all) passes", () => {
    const f = withAssignments(goodFacts(), [assignment(ROLES.reader!, CONTAINER_ID)]);
    const vault = f.keyVault[0]!.vault.resource!;
    vault.enableRbacAuthorization = false;
    vault.accessPolicies = [{ tenantId: "t", objectId: PRINCIPAL_ID.toUpperCase(), secrets: ["all"] }];
    expect(evaluateControlPlane(f)).toEqual([]);
  });

  it("a compound-identity policy (applicationId set) does not grant the identity itself", () => {
    const f = goodFacts();
    const vault = f.keyVault[0]!.vault.resource!;
    vault.enableRbacAuthorization = false;
    vault.accessPolicies = [{ tenantId: "t", objectId: PRINCIPAL_ID, applicationId: "some-app", secrets: ["get"] }];
    only(evaluateControlPlane(f), "AG208");
  });
});

describe("AG209 over-broad roles", () => {
  it("fires for Contributor at resource-group scope, not for data roles", () => {
    const f = goodFacts();
    const broad = assignment(ROLES.contributor!, RG_ID);
    withAssignments(f, [...(f.rbac!.assignments.get(SUB) as { ok: true; value: ReturnType<typeof assignment>[] }).value, broad]);
    const finding = only(evaluateControlPlane(f), "AG209");
    expect(finding.severity).toBe("warning");
    expect(finding.fix).toBe(`az role assignment delete --ids ${broad.id}`);
  });

  it("does not fire for Contributor on a single resource", () => {
    const f = goodFacts();
    withAssignments(f, [
      ...(f.rbac!.assignments.get(SUB) as { ok: true; value: ReturnType<typeof assignment>[] }).value,
      assignment(ROLES.contributor!, ACCOUNT_ID),
    ]);
    expect(evaluateControlPlane(f)).toEqual([]);
  });
});

describe("AG210 deny assignments", () => {
  const deny = (extra: object = {}) => ({
    id: `${RG_ID}/providers/Microsoft.Authorization/denyAssignments/d1`,
    name: "lock-data",
    scope: RG_ID,
    principals: ["00000000-0000-0000-0000-000000000000"],
    excludePrincipals: [] as string[],
    permissions: [{ actions: [], notActions: [], dataActions: ["Microsoft.Storage/*/read"], notDataActions: [] }],
    doNotApplyToChildScopes: false,
    listedIn: SUB,
    ...extra,
  });

  it("fires when an Everyone deny removes blobs/read", () => {
    const f = goodFacts();
    f.rbac!.denies.set(SUB, { ok: true, value: [deny()] });
    const finding = only(evaluateControlPlane(f), "AG210");
    expect(finding.evidence).toContain("deny assignment 'lock-data'");
  });

  it("does not fire for an excluded principal, or below a doNotApplyToChildScopes deny", () => {
    const f = goodFacts();
    f.rbac!.denies.set(SUB, { ok: true, value: [deny({ excludePrincipals: [PRINCIPAL_ID] }), deny({ doNotApplyToChildScopes: true })] });
    expect(evaluateControlPlane(f)).toEqual([]);
  });

  it("fails closed when the deny listing failed", () => {
    const f = goodFacts();
    f.rbac!.denies.set(SUB, { ok: false, error: { status: 500, message: "x" } });
    const findings = evaluateControlPlane(f);
    expect(ids(findings)).toEqual(["AG210", "AG210"]);
    expect(findings.every((x) => x.severity === "error" && x.evidence.startsWith("could not verify"))).toBe(true);
  });
});

describe("AG211 network", () => {
  it("fires for a default-deny firewall that does not know the cluster, with network-rule fixes", () => {
    const f = goodFacts();
    f.blob[0]!.account.resource!.network = {
      defaultAction: "Deny",
      bypass: "AzureServices",
      virtualNetworkRules: [],
      ipRules: ["203.0.113.0/24"],
      privateEndpoints: [],
    };
    const finding = only(evaluateControlPlane(f), "AG211");
    expect(finding.severity).toBe("warning");
    expect(finding.evidence).toContain("trusted-service bypass is on but does not cover AKS pods");
    expect(finding.fix).toContain(
      `az storage account network-rule add --resource-group rg-app --account-name stmedia --subnet ${SUBNET_ID}`,
    );
    expect(finding.fix).toContain("--ip-address 20.50.60.70");
  });

  it("passes when a virtual-network rule names the cluster's subnet (any case) or an IP rule covers the egress", () => {
    const f = goodFacts();
    f.blob[0]!.account.resource!.network = {
      defaultAction: "Deny",
      virtualNetworkRules: [SUBNET_ID.toLowerCase()],
      ipRules: [],
      privateEndpoints: [],
    };
    f.keyVault[0]!.vault.resource!.network = {
      defaultAction: "Deny",
      virtualNetworkRules: [],
      ipRules: ["20.50.60.0/24"],
      privateEndpoints: [],
    };
    expect(evaluateControlPlane(f)).toEqual([]);
  });

  it("public access disabled without a private endpoint → private-endpoint fix in the cluster's VNet", () => {
    const f = goodFacts();
    f.keyVault[0]!.vault.resource!.network = {
      publicNetworkAccess: "Disabled",
      defaultAction: "Allow",
      virtualNetworkRules: [],
      ipRules: [],
      privateEndpoints: [],
    };
    const finding = only(evaluateControlPlane(f), "AG211");
    expect(finding.fix).toBe(
      `az network private-endpoint create --name kv-app-pe --resource-group rg-net --vnet-name vnet-aks --subnet aks-nodes --private-connection-resource-id ${VAULT_ID} --group-id vault --connection-name kv-app-pe`,
    );
  });

  it("with the cluster's subnet unknown, the private-endpoint fix leaves clear placeholders: no guessed VNet, subnet or resource group", () => {
    const f = goodFacts();
    f.network = { ...f.network, subnetIds: [] };
    f.keyVault[0]!.vault.resource!.network = {
      publicNetworkAccess: "Disabled",
      defaultAction: "Allow",
      virtualNetworkRules: [],
      ipRules: [],
      privateEndpoints: [],
    };
    const finding = only(evaluateControlPlane(f), "AG211");
    expect(finding.fix).toBe(
      `az network private-endpoint create --name kv-app-pe --resource-group '<cluster-vnet-resource-group>' --vnet-name '<cluster-vnet>' --subnet '<cluster-subnet>' --private-connection-resource-id ${VAULT_ID} --group-id vault --connection-name kv-app-pe`,
    );
  });
});

describe("AG212 recent assignments", () => {
  it("is info for a needed grant created minutes ago", () => {
    const f = withAssignments(goodFacts(), [
      assignment(ROLES.reader!, CONTAINER_ID, { createdOn: new Date(NOW.getTime() - 3 * 60_000).toISOString() }),
      assignment(ROLES.secretsUser!, VAULT_ID),
    ]);
    const finding = only(evaluateControlPlane(f), "AG212");
    expect(finding.severity).toBe("info");
    expect(finding.evidence).toContain("3 minute(s) ago");
  });
});

describe("AG213 secrets", () => {
  it("missing (with the nearest name), disabled and expired secrets each fire", () => {
    const f = goodFacts();
    f.target.keyVault[0]!.secrets = ["django-secret-kee", "db-password", "storage-key"];
    f.keyVault[0]!.need.secrets = ["django-secret-kee", "db-password", "storage-key"];
    f.keyVault[0]!.secrets = {
      ok: true,
      value: [
        { name: "django-secret-key", enabled: true },
        { name: "db-password", enabled: false },
        { name: "storage-key", enabled: true, expiresOn: "2026-11-01T00:00:00.000Z" },
      ],
    };
    withAssignments(f, [assignment(ROLES.reader!, CONTAINER_ID), assignment(ROLES.secretsUser!, VAULT_ID)]);
    const findings = evaluateControlPlane(f).filter((x) => x.id === "AG213");
    expect(findings.map((x) => x.evidence.split(" —")[0])).toEqual([
      "secret 'django-secret-kee' does not exist in vault 'kv-app' (nearest existing name: 'django-secret-key')",
      "secret 'db-password' in vault 'kv-app' is disabled (its current version answers 403 SecretDisabled)",
      "secret 'storage-key' in vault 'kv-app' expired at 2026-11-01T00:00:00.000Z",
    ]);
    expect(findings[1]!.fix).toBe("az keyvault secret set-attributes --vault-name kv-app --name db-password --enabled true");
  });

  it("a vault not found in the subscriptions fires AG213", () => {
    const f = goodFacts();
    f.keyVault[0]!.vault = { wanted: "kv-ap", searchedSubscriptions: [SUB], unreadable: [] };
    delete f.keyVault[0]!.secrets;
    expect(only(evaluateControlPlane(f), "AG213").evidence).toContain("vault 'kv-ap' was not found");
  });

  it("fails closed when the secret properties could not be listed", () => {
    const f = goodFacts();
    f.keyVault[0]!.secrets = { ok: false, error: { status: 403, code: "Forbidden", message: "x" } };
    expect(only(evaluateControlPlane(f), "AG213").evidence).toMatch(/^could not verify: HTTP 403 Forbidden/);
  });
});

describe("AG214 containers", () => {
  it("a missing container fires with the create command", () => {
    const f = goodFacts();
    f.blob[0]!.container = { ok: true, value: false };
    const finding = only(evaluateControlPlane(f), "AG214");
    expect(finding.fix).toBe("az storage container create --account-name stmedia --name media --auth-mode login");
  });

  it("a missing storage account fires AG214; an unreadable listing is 'could not verify'", () => {
    const f = goodFacts();
    f.blob[0]!.account = { wanted: "stmedia", searchedSubscriptions: [SUB], unreadable: [] };
    delete f.blob[0]!.container;
    expect(only(evaluateControlPlane(f), "AG214").evidence).toContain("storage account 'stmedia' was not found");
    f.blob[0]!.account.unreadable = [{ what: "storage accounts", error: { status: 500, message: "x" } }];
    expect(only(evaluateControlPlane(f), "AG214").evidence).toMatch(/^could not verify/);
  });
});

describe("AG215 ABAC conditions", () => {
  it("flags a grant that exists only under a condition, and AG207 stays silent", () => {
    const condition =
      "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'other'))";
    const f = withAssignments(goodFacts(), [
      assignment(ROLES.reader!, ACCOUNT_ID, { condition }),
      assignment(ROLES.secretsUser!, VAULT_ID),
    ]);
    const finding = only(evaluateControlPlane(f), "AG215");
    expect(finding.evidence).toContain("granted only by 'Storage Blob Data Reader'");
    expect(finding.fix).toContain("--probe");
  });

  it("an unconditional grant next to a conditional one settles it", () => {
    const f = withAssignments(goodFacts(), [
      assignment(ROLES.reader!, ACCOUNT_ID, { condition: "x" }),
      assignment(ROLES.reader!, CONTAINER_ID),
      assignment(ROLES.secretsUser!, VAULT_ID),
    ]);
    expect(evaluateControlPlane(f)).toEqual([]);
  });
});
