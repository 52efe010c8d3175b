/**
 * The sandbox's own Azure RBAC engine: decides what ARM, Key Vault and the Blob proxy allow. It is
 * written from Azure's documentation, independently of the product's rules in shared/, so the gate
 * is tested against a second opinion instead of against itself.
 *
 * What it models (as documented for Azure RBAC):
 * - Scope inheritance: an assignment at scope S applies to S and to every scope below it. ARM ids are
 *   compared case-insensitively, segment by segment (a container id is below its storage account).
 * - Role definitions: a permission block grants `actions` minus `notActions` (control plane) or
 *   `dataActions` minus `notDataActions` (data plane). Patterns use `*` as a wildcard that may span
 *   `/`, matched case-insensitively. NotActions are subtracted within the same block only.
 * - Deny assignments win over grants: they apply to their scope and below, to the listed principals
 *   (the all-zero GUID means everyone) minus `excludePrincipals`.
 * - ABAC conditions on role assignments: see `evaluateCondition`. Only a small documented subset is
 *   evaluated; anything else makes the condition NOT satisfied (the assignment then grants nothing
 *   for the request), which errs on the side of "Azure says no" rather than inventing access. The
 *   condition is evaluated for every request the role would grant (actions and data actions alike);
 *   the documented templates guard themselves with `!(ActionMatches{…})`, so other actions pass.
 * - Group membership is not modelled (the state has none): group assignments never match a principal.
 */
import type { AccessDecision } from "./contract.js";
import type { DenyAssignmentState, KeyVaultState, RoleAssignmentState, RoleDefinitionState, TenantState } from "./state.js";

export const EVERYONE = "00000000-0000-0000-0000-000000000000";

type PermissionBlock = RoleDefinitionState["permissions"][number];
export type Plane = "control" | "data";

/** Extra request facts a condition may test (the blob proxy knows the sub-operation, e.g. "Blob.List"). */
export interface RequestContext {
  subOperation?: string;
}

// ---------------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------------

/**
 * An ARM id in comparable form: its non-empty segments, lower-cased, joined by single slashes ("/" → "").
 * Cached because every request compares the caller's scope against every assignment's (a sweep lists
 * ~30k assignments per page at 10k identities); the cache is cleared when it grows past a bound so a
 * long-lived sandbox fed many distinct request paths cannot grow it without limit.
 */
const normalisedIds = new Map<string, string>();
const NORMALISED_ID_CACHE_LIMIT = 200_000;

function normalisedId(id: string): string {
  let n = normalisedIds.get(id);
  if (n === undefined) {
    n = id
      .split("/")
      .filter((s) => s.length > 0)
      .map((s) => s.toLowerCase())
      .join("/");
    if (normalisedIds.size >= NORMALISED_ID_CACHE_LIMIT) normalisedIds.clear();
    normalisedIds.set(id, n);
  }
  return n;
}

/** True when `target` is `scope` itself or lies below it (ARM ids, case-insensitive, segment-wise). */
export function isAtOrBelow(scope: string, target: string): boolean {
  const s = normalisedId(scope);
  const t = normalisedId(target);
  return s === "" || t === s || t.startsWith(`${s}/`);
}

/** Same ARM id, ignoring case and duplicate/trailing slashes. */
export function sameArmId(a: string, b: string): boolean {
  return normalisedId(a) === normalisedId(b);
}

function sameGuid(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Operation patterns
// ---------------------------------------------------------------------------------------------

/**
 * Azure's documented wildcard for actions and data actions: `*` stands for any run of characters, `/`
 * included (`Microsoft.Storage/*` covers every Storage operation), and case is ignored. Matched by
 * walking the pattern's literal pieces: the first must start the operation, the last must end it, and
 * each piece between is found, left to right, in what remains (leftmost is always safe for `*`).
 */
export function operationMatches(pattern: string, operation: string): boolean {
  const pieces = pattern.toLowerCase().split("*");
  const text = operation.toLowerCase();
  const head = pieces[0] ?? "";
  if (pieces.length === 1) return text === head;
  const tail = pieces[pieces.length - 1] ?? "";
  if (text.length < head.length + tail.length || !text.startsWith(head) || !text.endsWith(tail)) return false;
  const stop = text.length - tail.length;
  let from = head.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = text.indexOf(piece, from);
    if (found < 0 || found + piece.length > stop) return false;
    from = found + piece.length;
  }
  return true;
}

/**
 * A permission block permits an operation when none of its "not" patterns matches it and one of its
 * allow patterns does: Azure subtracts NotActions / NotDataActions within the same block only.
 */
function blockPermits(block: PermissionBlock, plane: Plane, operation: string): boolean {
  const [granted, excluded] = plane === "control" ? [block.actions, block.notActions] : [block.dataActions, block.notDataActions];
  if (excluded.some((p) => operationMatches(p, operation))) return false;
  return granted.some((p) => operationMatches(p, operation));
}

// ---------------------------------------------------------------------------------------------
// Lookups
// ---------------------------------------------------------------------------------------------

/** The role definition an assignment names; built-ins are matched by GUID whatever scope prefixes the id. */
export function roleDefinitionOf(state: TenantState, roleDefinitionId: string): RoleDefinitionState | undefined {
  const guid = roleDefinitionId.split("/").filter(Boolean).pop() ?? "";
  return state.roleDefinitions.find((d) => sameGuid(d.name, guid));
}

/** Role assignments of the principal that apply at `scopeId` (at or above it). */
export function applicableAssignments(state: TenantState, principalId: string, scopeId: string): RoleAssignmentState[] {
  return state.roleAssignments.filter((a) => sameGuid(a.principalId, principalId) && isAtOrBelow(a.scope, scopeId));
}

function denyTargets(deny: DenyAssignmentState, principalId: string): boolean {
  if (deny.excludePrincipals.some((p) => sameGuid(p, principalId))) return false;
  return deny.principals.some((p) => sameGuid(p, principalId) || p === EVERYONE);
}

// ---------------------------------------------------------------------------------------------
// ABAC conditions
// ---------------------------------------------------------------------------------------------

/**
 * Evaluates a role-assignment condition. Supported grammar (whitespace and newlines free; keywords
 * case-insensitive), the shape of the documented Blob "container name" templates:
 *
 *   expr    := or
 *   or      := and ( "OR" and )*
 *   and     := unary ( "AND" unary )*
 *   unary   := ( "!" | "NOT" ) unary | "(" expr ")" | atom
 *   atom    := "ActionMatches{'" pattern "'}"
 *            | "SubOperationMatches{'" name "'}"
 *            | "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name]" "StringEquals" "'" value "'"
 *
 * `ActionMatches` tests the requested (data) action with the wildcard rules above;
 * `SubOperationMatches` tests `RequestContext.subOperation` (false when the caller gave none);
 * the container-name attribute is read from the scope id (`…/blobServices/default/containers/{name}…`)
 * and compared case-sensitively (StringEquals); a scope without a container has no such attribute,
 * which makes the comparison false, as in Azure.
 * Anything else (other attributes, operators, @Request/@Principal/@Environment, blob tags or paths)
 * is "unsupported" and the caller must treat the condition as NOT satisfied.
 */
export function evaluateCondition(
  condition: string,
  action: string,
  scopeId: string,
  ctx: RequestContext = {},
): "true" | "false" | "unsupported" {
  try {
    const parser = new ConditionParser(condition, { action, scopeId, subOperation: ctx.subOperation });
    const value = parser.parse();
    return value ? "true" : "false";
  } catch {
    return "unsupported";
  }
}

interface ConditionFacts {
  action: string;
  scopeId: string;
  subOperation: string | undefined;
}

const CONTAINER_NAME_ATTRIBUTE = "microsoft.storage/storageaccounts/blobservices/containers:name";

function containerNameOf(scopeId: string): string | undefined {
  const parts = scopeId.split("/").filter(Boolean);
  for (let i = 0; i + 1 < parts.length; i++) {
    if (
      parts[i]?.toLowerCase() === "containers" &&
      parts[i - 1]?.toLowerCase() === "default" &&
      parts[i - 2]?.toLowerCase() === "blobservices"
    ) {
      return parts[i + 1];
    }
  }
  return undefined;
}

class ConditionParser {
  private pos = 0;
  constructor(
    private readonly src: string,
    private readonly facts: ConditionFacts,
  ) {}

  parse(): boolean {
    const v = this.or();
    this.ws();
    if (this.pos !== this.src.length) throw new Error(`unexpected input at ${this.pos}`);
    return v;
  }

  private ws(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? "")) this.pos++;
  }

  private keyword(word: string): boolean {
    this.ws();
    const slice = this.src.slice(this.pos, this.pos + word.length);
    const after = this.src[this.pos + word.length] ?? "";
    if (slice.toLowerCase() === word.toLowerCase() && !/[A-Za-z0-9_]/.test(after)) {
      this.pos += word.length;
      return true;
    }
    return false;
  }

  private symbol(s: string): boolean {
    this.ws();
    if (this.src.startsWith(s, this.pos)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  private or(): boolean {
    // Evaluate every operand (no short-circuit) so an unsupported atom anywhere makes the whole thing unsupported.
    let v = this.and();
    while (this.keyword("OR")) v = this.and() || v;
    return v;
  }

  private and(): boolean {
    let v = this.unary();
    while (this.keyword("AND")) v = this.unary() && v;
    return v;
  }

  private unary(): boolean {
    if (this.symbol("!") || this.keyword("NOT")) return !this.unary();
    if (this.symbol("(")) {
      const v = this.or();
      if (!this.symbol(")")) throw new Error("missing )");
      return v;
    }
    return this.atom();
  }

  private quoted(): string {
    this.ws();
    if (this.src[this.pos] !== "'") throw new Error("expected '");
    const end = this.src.indexOf("'", this.pos + 1);
    if (end < 0) throw new Error("unterminated string");
    const value = this.src.slice(this.pos + 1, end);
    this.pos = end + 1;
    return value;
  }

  private braced(): string {
    if (!this.symbol("{")) throw new Error("expected {");
    const value = this.quoted();
    if (!this.symbol("}")) throw new Error("expected }");
    return value;
  }

  private atom(): boolean {
    if (this.keyword("ActionMatches")) return operationMatches(this.braced(), this.facts.action);
    if (this.keyword("SubOperationMatches")) {
      const name = this.braced();
      return this.facts.subOperation !== undefined && this.facts.subOperation.toLowerCase() === name.toLowerCase();
    }
    if (this.symbol("@Resource[")) {
      const end = this.src.indexOf("]", this.pos);
      if (end < 0) throw new Error("unterminated attribute");
      const attribute = this.src.slice(this.pos, end).trim().toLowerCase();
      this.pos = end + 1;
      if (attribute !== CONTAINER_NAME_ATTRIBUTE) throw new Error(`unsupported attribute ${attribute}`);
      if (!this.keyword("StringEquals")) throw new Error("unsupported operator");
      const expected = this.quoted();
      const actual = containerNameOf(this.facts.scopeId);
      return actual !== undefined && actual === expected;
    }
    throw new Error(`unsupported expression at ${this.pos}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------------------------

/** The first deny assignment that removes `action` for the principal at `scopeId`, if any. */
function matchingDenyAssignment(
  state: TenantState,
  principalId: string,
  scopeId: string,
  action: string,
  plane: Plane,
): DenyAssignmentState | undefined {
  return state.denyAssignments.find(
    (deny) =>
      isAtOrBelow(deny.scope, scopeId) && denyTargets(deny, principalId) && deny.permissions.some((b) => blockPermits(b, plane, action)),
  );
}

function check(
  state: TenantState,
  principalId: string,
  scopeId: string,
  action: string,
  plane: Plane,
  ctx: RequestContext,
): AccessDecision {
  const kind = plane === "control" ? "action" : "data action";

  const deny = matchingDenyAssignment(state, principalId, scopeId, action, plane);
  if (deny) return { allowed: false, reason: `denied by deny assignment '${deny.denyAssignmentName}' at ${deny.scope}`, deny };

  const unsatisfied: string[] = [];
  for (const assignment of applicableAssignments(state, principalId, scopeId)) {
    const role = roleDefinitionOf(state, assignment.roleDefinitionId);
    if (!role) continue;
    if (!role.permissions.some((b) => blockPermits(b, plane, action))) continue;
    if (assignment.condition) {
      const result = evaluateCondition(assignment.condition, action, scopeId, ctx);
      if (result !== "true") {
        unsatisfied.push(
          `'${role.roleName}' at ${assignment.scope} (condition ${result === "false" ? "not met" : "not supported by the sandbox, treated as not met"})`,
        );
        continue;
      }
    }
    return {
      allowed: true,
      reason: `granted by '${role.roleName}' assigned at ${assignment.scope}${assignment.condition ? " (condition met)" : ""}`,
    };
  }

  if (unsatisfied.length > 0) {
    return {
      allowed: false,
      reason: `${kind} '${action}' at ${scopeId} is only granted under a condition that does not hold: ${unsatisfied.join("; ")}`,
    };
  }
  return { allowed: false, reason: `no role assignment grants ${kind} '${action}' to ${principalId} at ${scopeId}` };
}

/** Control-plane check: may `principalId` perform `action` (e.g. `Microsoft.Storage/storageAccounts/read`) at `scopeId`? */
export function checkAction(
  state: TenantState,
  principalId: string,
  scopeId: string,
  action: string,
  ctx: RequestContext = {},
): AccessDecision {
  return check(state, principalId, scopeId, action, "control", ctx);
}

/** Data-plane check (Blob, Key Vault RBAC): `dataAction` like `Microsoft.KeyVault/vaults/secrets/getSecret/action`. */
export function checkDataAction(
  state: TenantState,
  principalId: string,
  scopeId: string,
  dataAction: string,
  ctx: RequestContext = {},
): AccessDecision {
  return check(state, principalId, scopeId, dataAction, "data", ctx);
}

/** True when the principal holds any role assignment at, above or below `scopeId` (ARM list visibility). */
export function hasAnyAssignmentTouching(state: TenantState, principalId: string, scopeId: string): boolean {
  return state.roleAssignments.some(
    (a) => sameGuid(a.principalId, principalId) && (isAtOrBelow(a.scope, scopeId) || isAtOrBelow(scopeId, a.scope)),
  );
}

// ---------------------------------------------------------------------------------------------
// Key Vault access policies (vaults with enableRbacAuthorization = false)
// ---------------------------------------------------------------------------------------------

export type AccessPolicyKind = "secrets" | "keys" | "certificates";

/**
 * Access-policy check for a vault in the "Vault access policy" permission model. Policies are ignored
 * when the vault uses Azure RBAC (then only role assignments count), as Key Vault does. "all" grants
 * every permission of its kind. Permission names compare case-insensitively (the portal writes "Get").
 */
export function checkKeyVaultAccessPolicy(
  vault: KeyVaultState,
  objectId: string,
  permission: string,
  kind: AccessPolicyKind = "secrets",
): AccessDecision {
  if (vault.enableRbacAuthorization) {
    return { allowed: false, reason: `vault '${vault.name}' uses Azure RBAC; its access policies are not evaluated` };
  }
  const wanted = permission.toLowerCase();
  for (const policy of vault.accessPolicies) {
    if (!sameGuid(policy.objectId, objectId)) continue;
    const granted = policy.permissions[kind].map((p) => p.toLowerCase());
    if (granted.includes(wanted) || granted.includes("all")) {
      return { allowed: true, reason: `access policy for ${objectId} on vault '${vault.name}' grants ${kind} '${permission}'` };
    }
  }
  return { allowed: false, reason: `no access policy on vault '${vault.name}' grants ${kind} '${permission}' to ${objectId}` };
}
