/** The product's own effective-access evaluator (pure). */
import { describe, expect, it } from "vitest";
import { actionMatches, blockCovers, evaluateAccess, isBroadRole } from "../../shared/azure/effective-access.js";
import { isAtOrBelow, scopeLevel } from "../../shared/azure/arm-id.js";
import { ACCOUNT_ID, assignment, CONTAINER_ID, goodFacts, ROLES, RG_ID, SUB } from "./facts-fixtures.js";

const READ = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";

describe("action patterns", () => {
  it("'*' spans '/' and matching ignores case", () => {
    expect(actionMatches("Microsoft.Storage/*", READ)).toBe(true);
    expect(actionMatches("microsoft.storage/storageaccounts/*/read", READ)).toBe(true);
    expect(actionMatches("Microsoft.Storage/*/write", READ)).toBe(false);
    expect(actionMatches("Microsoft.KeyVault/*", READ)).toBe(false);
  });

  it("not-actions subtract only inside their own block", () => {
    const minusRead = { actions: [], notActions: [], dataActions: ["*"], notDataActions: [READ] };
    expect(blockCovers(minusRead, READ, "data")).toBe(false);
    expect(blockCovers(minusRead, READ, "control")).toBe(false);
    const role = { ...ROLES.blobStar!, permissions: [minusRead, { actions: [], notActions: [], dataActions: [READ], notDataActions: [] }] };
    const f = goodFacts();
    f.rbac!.definitions.set(role.name, { ok: true, value: role });
    f.rbac!.assignments.set(SUB, { ok: true, value: [assignment(role, ACCOUNT_ID)] });
    expect(evaluateAccess(f.rbac!, CONTAINER_ID, READ).allowed).toBe(true);
  });
});

describe("scopes", () => {
  it("compares ARM ids segment-wise and case-insensitively", () => {
    expect(isAtOrBelow(RG_ID.toLowerCase(), CONTAINER_ID)).toBe(true);
    expect(isAtOrBelow(`${RG_ID}-2`, CONTAINER_ID)).toBe(false);
    expect(isAtOrBelow("/", CONTAINER_ID)).toBe(true);
    expect(scopeLevel(`/subscriptions/${SUB}/`)).toBe("subscription");
    expect(scopeLevel(RG_ID)).toBe("resourceGroup");
  });
});

describe("evaluateAccess", () => {
  it("reports an unlisted subscription as unknown, never as 'no access'", () => {
    const f = goodFacts();
    const other = CONTAINER_ID.replace(SUB, "22222222-2222-2222-2222-222222222222");
    const r = evaluateAccess(f.rbac!, other, READ);
    expect(r.allowed).toBe(false);
    expect(r.unknown).toHaveLength(1);
  });

  it("separates conditional from unconditional grants", () => {
    const f = goodFacts();
    f.rbac!.assignments.set(SUB, {
      ok: true,
      value: [assignment(ROLES.reader!, ACCOUNT_ID, { condition: "@Resource[x] StringEquals 'y'" })],
    });
    const r = evaluateAccess(f.rbac!, CONTAINER_ID, READ);
    expect(r.allowed).toBe(false);
    expect(r.conditional).toHaveLength(1);
    expect(r.unconditional).toHaveLength(0);
  });

  it("ignores assignments of other principals returned in the listing", () => {
    const f = goodFacts();
    f.rbac!.assignments.set(SUB, { ok: true, value: [assignment(ROLES.reader!, ACCOUNT_ID, { principalId: "someone-else" })] });
    expect(evaluateAccess(f.rbac!, CONTAINER_ID, READ).grants).toEqual([]);
  });

  it("treats Owner / Contributor / UAA and '*' actions as broad", () => {
    expect(isBroadRole(ROLES.contributor!)).toBe(true);
    expect(isBroadRole(ROLES.reader!)).toBe(false);
    expect(
      isBroadRole({
        id: "x",
        name: "custom",
        roleName: "Ops",
        permissions: [{ actions: ["*"], notActions: [], dataActions: [], notDataActions: [] }],
      }),
    ).toBe(true);
  });
});
