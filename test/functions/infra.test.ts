/**
 * The template's Key Vault grant is the mapped secrets, never the vault (no Bicep compiler runs offline,
 * so this reads the template's role assignments and the scopes they name).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const officer = readFileSync("infra/modules/vault-secrets-officer.bicep", "utf8");
const main = readFileSync("infra/main.bicep", "utf8");

describe("infra: Key Vault Secrets Officer", () => {
  it("is assigned on each mapped secret, never on the vault", () => {
    const assignments = officer.split(/^resource /m).filter((r) => r.includes("Microsoft.Authorization/roleAssignments"));
    expect(assignments).toHaveLength(1);
    expect(assignments[0]).toMatch(/\[for \(name, i\) in secretNames:/);
    expect(assignments[0]).toMatch(/^\s*scope: secrets\[i\]$/m);
    expect(officer).not.toMatch(/^\s*scope: vault$/m);
    expect(officer).toMatch(/resource secrets 'Microsoft\.KeyVault\/vaults\/secrets@[\d-]+' existing = \[for name in secretNames:/);
  });

  it("main.bicep passes each vault's secret names", () => {
    expect(main).toMatch(/module vaultOfficers 'modules\/vault-secrets-officer\.bicep'[\s\S]*?secretNames: v\.secrets/);
  });
});
