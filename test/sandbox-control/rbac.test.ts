import { describe, expect, it } from "vitest";
import {
  checkAction,
  checkDataAction,
  checkKeyVaultAccessPolicy,
  evaluateCondition,
  isAtOrBelow,
  operationMatches,
  sameArmId,
} from "../sandbox/rbac.js";
import { assignment, guid, P, RG, ROLE, SCOPES, SUB, tenant } from "./fixtures.js";

const BLOB_READ = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
const BLOB_WRITE = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write";
const BLOB_DELETE = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete";
const GET_SECRET = "Microsoft.KeyVault/vaults/secrets/getSecret/action";

describe("scope inheritance", () => {
  it("treats a scope as covering itself and everything below, segment-wise and case-insensitively", () => {
    expect(isAtOrBelow(SCOPES.account, SCOPES.uploads)).toBe(true);
    expect(isAtOrBelow(SCOPES.account.toUpperCase(), SCOPES.uploads)).toBe(true);
    expect(isAtOrBelow(`/subscriptions/${SUB}/resourcegroups/APP-RG`, SCOPES.vault)).toBe(true);
    expect(isAtOrBelow("/", SCOPES.vault)).toBe(true);
    expect(isAtOrBelow(SCOPES.uploads, SCOPES.account)).toBe(false);
    // A prefix of a segment is not a parent: app-rg does not contain app-rg2.
    expect(isAtOrBelow(RG, `${RG}2/providers/Microsoft.KeyVault/vaults/x`)).toBe(false);
  });

  it("ignores duplicate and trailing slashes, and only the root covers everything", () => {
    expect(isAtOrBelow(`${RG}/`, `/${SCOPES.vault.replace(/\//g, "//")}`)).toBe(true);
    expect(isAtOrBelow(SCOPES.vault, `${SCOPES.vault}/`)).toBe(true);
    expect(isAtOrBelow("//", SCOPES.vault)).toBe(true);
    expect(isAtOrBelow(SCOPES.vault, "/")).toBe(false);
    expect(sameArmId(`${SCOPES.vault.toUpperCase()}//`, SCOPES.vault)).toBe(true);
    expect(sameArmId(RG, `${RG}2`)).toBe(false);
    expect(sameArmId("/", "")).toBe(true);
  });

  it("grants at the assignment scope and below, never above or beside it", () => {
    const s = tenant();
    expect(checkDataAction(s, P.backend, SCOPES.uploads, BLOB_READ).allowed).toBe(true);
    expect(checkDataAction(s, P.backend, `${SCOPES.uploads}/blobs/a/b.txt`, BLOB_READ).allowed).toBe(true);
    expect(checkDataAction(s, P.backend, SCOPES.account, BLOB_READ).allowed).toBe(false);
    expect(checkDataAction(s, P.backend, SCOPES.media, BLOB_READ).allowed).toBe(false);
    expect(checkDataAction(s, P.nobody, SCOPES.uploads, BLOB_READ).reason).toMatch(/no role assignment grants data action/);
  });

  it("matches role definition ids by GUID whatever scope prefixes them", () => {
    const s = tenant();
    s.roleAssignments.push({
      ...assignment(P.nobody, ROLE.secretsUser, SCOPES.vault),
      roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${ROLE.secretsUser.toUpperCase()}`,
    });
    expect(checkDataAction(s, P.nobody, `${SCOPES.vault}/secrets/db-password`, GET_SECRET).allowed).toBe(true);
  });
});

describe("actions and wildcards", () => {
  it("matches `*` across segments, case-insensitively, anchored at both ends", () => {
    expect(operationMatches("*", "Microsoft.Storage/storageAccounts/read")).toBe(true);
    expect(operationMatches("Microsoft.Storage/*/read", "microsoft.storage/storageAccounts/blobServices/containers/read")).toBe(true);
    expect(operationMatches("Microsoft.Storage/*/read", "Microsoft.Storage/storageAccounts/write")).toBe(false);
    expect(operationMatches("*/read", "Microsoft.KeyVault/vaults/read")).toBe(true);
    expect(operationMatches("Microsoft.KeyVault/vaults/secrets/*", "Microsoft.KeyVault/vaults/secrets/getSecret/action")).toBe(true);
    expect(operationMatches("Microsoft.KeyVault/vaults/secrets/*", "Microsoft.KeyVault/vaults/keys/read")).toBe(false);
    expect(operationMatches("Microsoft.Storage/storageAccounts/read", "Microsoft.Storage/storageAccounts/readX")).toBe(false);
    expect(operationMatches("Microsoft.Web/sites/config.list/action", "Microsoft.Web/sites/configXlist/action")).toBe(false);
    // Several stars, pieces that overlap, a pattern longer than the operation.
    expect(operationMatches("Microsoft.*/*/read", "Microsoft.Storage/storageAccounts/read")).toBe(true);
    expect(operationMatches("*read*read", "Microsoft.X/read")).toBe(false);
    expect(operationMatches("ab*ba", "aba")).toBe(false);
    expect(operationMatches("a*a*a", "aaa")).toBe(true);
    expect(operationMatches("Microsoft.Storage/*", "Microsoft.Storage")).toBe(false);
  });

  it("keeps control-plane actions and data actions apart", () => {
    const s = tenant();
    // Reader's */read covers ARM reads but never a data action.
    expect(checkAction(s, P.gate, SCOPES.vault, "Microsoft.KeyVault/vaults/read").allowed).toBe(true);
    expect(checkDataAction(s, P.gate, SCOPES.uploads, BLOB_READ).allowed).toBe(false);
    expect(checkAction(s, P.gate, SCOPES.vault, "Microsoft.KeyVault/vaults/write").allowed).toBe(false);
  });

  it("subtracts notActions within the same permission block (Contributor cannot write role assignments)", () => {
    const s = tenant();
    s.roleAssignments.push(assignment(P.nobody, ROLE.contributor, SCOPES.sub));
    expect(checkAction(s, P.nobody, RG, "Microsoft.KeyVault/vaults/write").allowed).toBe(true);
    expect(checkAction(s, P.nobody, RG, "Microsoft.Authorization/roleAssignments/write").allowed).toBe(false);
    expect(checkAction(s, P.nobody, RG, "microsoft.authorization/roleassignments/DELETE").allowed).toBe(false);
    expect(checkAction(s, P.nobody, RG, "Microsoft.Authorization/roleAssignments/read").allowed).toBe(true);
  });

  it("subtracts notDataActions (custom role without delete)", () => {
    const s = tenant();
    s.roleAssignments.push(assignment(P.nobody, ROLE.custom, SCOPES.sub));
    expect(checkDataAction(s, P.nobody, SCOPES.media, BLOB_WRITE).allowed).toBe(true);
    expect(
      checkDataAction(
        s,
        P.nobody,
        `/subscriptions/${SUB}/resourceGroups/other-rg/providers/Microsoft.Storage/storageAccounts/x/blobServices/default/containers/y`,
        BLOB_DELETE,
      ).allowed,
    ).toBe(false);
  });

  it("does not let a notActions in one block remove what another assignment grants", () => {
    const s = tenant();
    s.roleAssignments.push(assignment(P.nobody, ROLE.contributor, SCOPES.sub), assignment(P.nobody, ROLE.userAccessAdministrator, RG));
    expect(checkAction(s, P.nobody, RG, "Microsoft.Authorization/roleAssignments/write").allowed).toBe(true);
    expect(
      checkAction(s, P.nobody, `/subscriptions/${SUB}/resourceGroups/net-rg`, "Microsoft.Authorization/roleAssignments/write").allowed,
    ).toBe(false);
  });

  it("ignores an assignment whose role definition does not exist", () => {
    const s = tenant();
    s.roleAssignments.push(assignment(P.nobody, guid("no-such-role"), SCOPES.sub));
    expect(checkAction(s, P.nobody, RG, "Microsoft.Resources/subscriptions/resourceGroups/read").allowed).toBe(false);
  });
});

describe("deny assignments", () => {
  it("win over grants, for everyone at the scope and below", () => {
    const s = tenant();
    s.roleAssignments.push(assignment(P.nobody, ROLE.blobOwner, SCOPES.sub));
    expect(checkDataAction(s, P.nobody, SCOPES.uploads, BLOB_WRITE).allowed).toBe(true);
    const d = checkDataAction(s, P.nobody, `${SCOPES.uploads}/blobs/x`, BLOB_DELETE);
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/deny assignment 'no-blob-delete'/);
    expect(d.deny?.denyAssignmentName).toBe("no-blob-delete");
    expect(checkDataAction(s, P.nobody, SCOPES.uploads, BLOB_WRITE).deny).toBeUndefined();
  });

  it("spare excluded principals", () => {
    const s = tenant();
    s.roleAssignments.push(assignment(P.gate, ROLE.blobOwner, SCOPES.sub));
    expect(checkDataAction(s, P.gate, SCOPES.uploads, BLOB_DELETE).allowed).toBe(true);
  });

  it("do not reach outside their scope or beyond their actions", () => {
    const s = tenant();
    s.roleAssignments.push(assignment(P.nobody, ROLE.blobOwner, SCOPES.sub));
    const elsewhere = `/subscriptions/${SUB}/resourceGroups/other-rg/providers/Microsoft.Storage/storageAccounts/x/blobServices/default/containers/y`;
    expect(checkDataAction(s, P.nobody, elsewhere, BLOB_DELETE).allowed).toBe(true);
  });

  it("name specific principals, not only everyone", () => {
    const s = tenant();
    s.roleAssignments.push(assignment(P.nobody, ROLE.owner, SCOPES.sub));
    s.denyAssignments.push({
      id: "x",
      name: guid("d2"),
      denyAssignmentName: "lock-vault",
      scope: SCOPES.vault,
      principals: [P.nobody],
      excludePrincipals: [],
      permissions: [{ actions: ["*/write"], notActions: [], dataActions: [], notDataActions: [] }],
    });
    expect(checkAction(s, P.nobody, SCOPES.vault, "Microsoft.KeyVault/vaults/write").allowed).toBe(false);
    expect(checkAction(s, P.nobody, SCOPES.vault, "Microsoft.KeyVault/vaults/read").allowed).toBe(true);
    expect(checkAction(s, P.gate, SCOPES.vault, "Microsoft.KeyVault/vaults/read").allowed).toBe(true);
  });
});

describe("ABAC conditions", () => {
  const template = (container: string) =>
    `((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'} AND NOT SubOperationMatches{'Blob.List'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals '${container}'))`;

  it("evaluates the documented container-name template", () => {
    expect(evaluateCondition(template("media"), BLOB_READ, `${SCOPES.media}/blobs/a`)).toBe("true");
    expect(evaluateCondition(template("media"), BLOB_READ, `${SCOPES.uploads}/blobs/a`)).toBe("false");
    // The guard only constrains the read action (minus listing): other actions pass the condition.
    expect(evaluateCondition(template("media"), BLOB_WRITE, `${SCOPES.uploads}/blobs/a`)).toBe("true");
    expect(evaluateCondition(template("media"), BLOB_READ, SCOPES.uploads, { subOperation: "Blob.List" })).toBe("true");
    // StringEquals is case-sensitive; an account-level scope has no container name.
    expect(evaluateCondition(template("Media"), BLOB_READ, `${SCOPES.media}/blobs/a`)).toBe("false");
    expect(
      evaluateCondition(
        "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'media'",
        BLOB_READ,
        SCOPES.account,
      ),
    ).toBe("false");
  });

  it("reports anything outside the supported grammar as unsupported", () => {
    expect(
      evaluateCondition(
        "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags:project<$key_case_sensitive$>] StringEquals 'x'",
        BLOB_READ,
        SCOPES.media,
      ),
    ).toBe("unsupported");
    expect(
      evaluateCondition(
        "@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {x}",
        BLOB_READ,
        SCOPES.media,
      ),
    ).toBe("unsupported");
    expect(
      evaluateCondition(
        "((@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'media')",
        BLOB_READ,
        SCOPES.media,
      ),
    ).toBe("unsupported");
    // Even when a supported branch alone would decide the outcome.
    expect(evaluateCondition(`${template("media")} OR @Principal[x] StringEquals 'y'`, BLOB_READ, SCOPES.media)).toBe("unsupported");
  });

  it("grants through a conditional assignment only when the condition holds", () => {
    const s = tenant();
    expect(checkDataAction(s, P.worker, `${SCOPES.media}/blobs/a.png`, BLOB_READ).allowed).toBe(true);
    const refused = checkDataAction(s, P.worker, `${SCOPES.uploads}/blobs/a.png`, BLOB_READ);
    expect(refused.allowed).toBe(false);
    expect(refused.reason).toMatch(/condition/);
    expect(checkDataAction(s, P.worker, `${SCOPES.uploads}/blobs/a.png`, BLOB_WRITE).allowed).toBe(true);
  });

  it("treats an unsupported condition as not satisfied", () => {
    const s = tenant();
    s.roleAssignments.push(
      assignment(P.nobody, ROLE.blobReader, SCOPES.account, {
        condition: "@Environment[isPrivateLink] BoolEquals true",
        conditionVersion: "2.0",
      }),
    );
    const d = checkDataAction(s, P.nobody, `${SCOPES.media}/blobs/a`, BLOB_READ);
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/not supported by the sandbox/);
  });
});

describe("Key Vault access policies", () => {
  it("grants listed permissions to the listed object id on access-policy vaults", () => {
    const s = tenant();
    const legacy = s.keyVaults.find((v) => v.name === "legacy-kv")!;
    expect(checkKeyVaultAccessPolicy(legacy, P.worker, "get").allowed).toBe(true);
    expect(checkKeyVaultAccessPolicy(legacy, P.worker.toUpperCase(), "Get").allowed).toBe(true);
    expect(checkKeyVaultAccessPolicy(legacy, P.worker, "set").allowed).toBe(false);
    expect(checkKeyVaultAccessPolicy(legacy, P.backend, "get").allowed).toBe(false);
    expect(checkKeyVaultAccessPolicy(legacy, P.worker, "get", "keys").allowed).toBe(false);
    legacy.accessPolicies.push({
      objectId: P.backend,
      tenantId: s.tenantId,
      permissions: { secrets: ["all"], keys: [], certificates: [] },
    });
    expect(checkKeyVaultAccessPolicy(legacy, P.backend, "delete").allowed).toBe(true);
  });

  it("ignores access policies on RBAC vaults", () => {
    const s = tenant();
    const rbacVault = s.keyVaults.find((v) => v.name === "app-kv")!;
    rbacVault.accessPolicies.push({
      objectId: P.worker,
      tenantId: s.tenantId,
      permissions: { secrets: ["get"], keys: [], certificates: [] },
    });
    const d = checkKeyVaultAccessPolicy(rbacVault, P.worker, "get");
    expect(d.allowed).toBe(false);
    expect(d.reason).toMatch(/uses Azure RBAC/);
  });
});
