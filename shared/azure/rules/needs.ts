/**
 * What each configured need requires in RBAC terms: (scope, data action, role to propose), and the
 * evaluation of all of them for one target. AG207, AG208, AG210, AG212 and AG215 read this one
 * answer, so they can never disagree about what "covered" means.
 */
import { containerScope, lastSegment, secretScope, subscriptionOf } from "../arm-id.js";
import { evaluateAccess, roleGrants, scopeCovers, type AccessResult } from "../effective-access.js";
import type { BlobNeedFacts, KeyVaultNeedFacts, StorageAccountFact, TargetFacts, VaultFact } from "../facts/types.js";

export const BLOB_READ = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
export const BLOB_WRITE = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write";
export const SECRET_GET = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
export const SECRET_LIST = "Microsoft.KeyVault/vaults/secrets/readMetadata/action";

export interface RbacRequirement {
  /** Rule that reports a missing grant: AG207 (Blob) or AG208 (Key Vault). */
  rule: "AG207" | "AG208";
  scope: string;
  action: string;
  /** Built-in role the fix assigns. */
  role: string;
  /** "container 'media' of storage account 'stmedia'" */
  label: string;
  resource: StorageAccountFact | VaultFact;
  /** The resource the finding targets (container or vault id). */
  targetId: string;
  secret?: string;
}

export interface EvaluatedRequirement {
  req: RbacRequirement;
  access: AccessResult;
}

function blobRequirements(b: BlobNeedFacts): RbacRequirement[] {
  const account = b.account.resource;
  if (!account) return [];
  const scope = containerScope(account.id, b.need.container);
  const label = `container '${b.need.container}' of storage account '${account.name}'`;
  const role = b.need.access === "write" ? "Storage Blob Data Contributor" : "Storage Blob Data Reader";
  const actions = b.need.access === "write" ? [BLOB_READ, BLOB_WRITE] : [BLOB_READ];
  return actions.map((action) => ({ rule: "AG207", scope, action, role, label, resource: account, targetId: scope }));
}

function vaultRequirements(k: KeyVaultNeedFacts): RbacRequirement[] {
  const vault = k.vault.resource;
  if (!vault || !vault.enableRbacAuthorization) return [];
  const out: RbacRequirement[] = [];
  const base = { rule: "AG208" as const, role: "Key Vault Secrets User", resource: vault, targetId: vault.id };
  if (k.need.secrets.length === 0) out.push({ ...base, scope: vault.id, action: SECRET_GET, label: `secrets of vault '${vault.name}'` });
  for (const s of k.need.secrets)
    out.push({ ...base, scope: secretScope(vault.id, s), action: SECRET_GET, label: `secret '${s}' of vault '${vault.name}'`, secret: s });
  if (k.need.access === "list")
    out.push({ ...base, scope: vault.id, action: SECRET_LIST, label: `the secret list of vault '${vault.name}'` });
  return out;
}

/** Every RBAC requirement of the target, evaluated; empty when the identity or its RBAC facts are unknown. */
export function evaluateRequirements(facts: TargetFacts): EvaluatedRequirement[] {
  const rbac = facts.rbac;
  if (!rbac) return [];
  const reqs = [...facts.blob.flatMap(blobRequirements), ...facts.keyVault.flatMap(vaultRequirements)];
  return reqs.map((req) => ({ req, access: evaluateAccess(rbac, req.scope, req.action, "data") }));
}

export function shortAction(action: string): string {
  return action.replace(/^Microsoft\.Storage\/storageAccounts\/blobServices\//, "…/").replace(/^Microsoft\.KeyVault\/vaults\//, "…/");
}

/**
 * The nearest near-misses for a missing grant, as evidence: the same data role assigned at another
 * scope ("Storage Blob Data Reader on container 'static'"), and roles the principal does hold at the
 * needed scope that lack the action ("Contributor: control plane only").
 */
export function nearMisses(facts: TargetFacts, req: RbacRequirement): string[] {
  const rbac = facts.rbac;
  if (!rbac) return [];
  const out: string[] = [];
  const sub = subscriptionOf(req.scope) ?? "";
  const listing = rbac.assignments.get(sub);
  if (!listing || !listing.ok) return out;
  for (const a of listing.value) {
    const def = rbac.definitions.get(lastSegment(a.roleDefinitionId));
    if (!def || !def.ok) continue;
    const grantsAction = roleGrants(def.value, req.action, "data");
    const covers = scopeCovers(a.scope, req.scope, a.listedIn);
    if (grantsAction && !covers) out.push(`'${def.value.roleName}' is assigned at ${a.scope}, which does not cover ${req.scope}`);
    else if (!grantsAction && covers)
      out.push(`'${def.value.roleName}' at ${a.scope} covers the scope but grants no ${shortAction(req.action)}`);
  }
  return out;
}
