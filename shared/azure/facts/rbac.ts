/**
 * The principal's RBAC facts: its role assignments per subscription (at, above — management group,
 * root — and below it), the subscription's deny assignments listed ONCE per run for every principal,
 * and each referenced role definition fetched once per run by GUID.
 *
 * The assignments come from ONE `assignedTo('{principalId}')` listing per principal and subscription —
 * or, when several principals are checked in a subscription, from ONE listing of all its assignments
 * shared by them (see `sharedAssignments`), which is the same set whenever no group holds a role there.
 */
import { getContinuationToken } from "@azure/arm-authorization";
import { lastSegment } from "../arm-id.js";
import { collectAll, type FactContext } from "./fact-context.js";
import { factKeys } from "./keys.js";
import type { DenyAssignmentFact, Fetched, PermissionBlock, PrincipalRbacFacts, RoleAssignmentFact, RoleDefinitionFact } from "./types.js";

interface SdkPermission {
  actions?: string[];
  notActions?: string[];
  dataActions?: string[];
  notDataActions?: string[];
}

function block(p: SdkPermission): PermissionBlock {
  return {
    actions: p.actions ?? [],
    notActions: p.notActions ?? [],
    dataActions: p.dataActions ?? [],
    notDataActions: p.notDataActions ?? [],
  };
}

interface SdkAssignment {
  id?: string;
  scope?: string;
  roleDefinitionId?: string;
  principalId?: string;
  principalType?: string;
  condition?: string;
  createdOn?: Date;
}

function assignmentFacts(list: readonly SdkAssignment[], subscriptionId: string): RoleAssignmentFact[] {
  return list.flatMap((a): RoleAssignmentFact[] =>
    a.id && a.scope && a.roleDefinitionId && a.principalId
      ? [
          {
            id: a.id,
            scope: a.scope,
            roleDefinitionId: a.roleDefinitionId,
            principalId: a.principalId,
            listedIn: subscriptionId.toLowerCase(),
            ...(a.condition ? { condition: a.condition } : {}),
            ...(a.createdOn ? { createdOn: new Date(a.createdOn).toISOString() } : {}),
          },
        ]
      : [],
  );
}

/** The GATE's read: one principal's assignments, `assignedTo()` (authoritative, group-transitive). */
function assignments(ctx: FactContext, subscriptionId: string, principalId: string): Promise<Fetched<RoleAssignmentFact[]>> {
  return ctx.fetch(factKeys.assignments(subscriptionId, principalId), async () => {
    const client = ctx.clients.authorization(subscriptionId);
    return assignmentFacts(
      await collectAll(client.roleAssignments.listForSubscription({ filter: `assignedTo('${principalId}')` })),
      subscriptionId,
    );
  });
}

/**
 * The GATE's shared read when `principals` (≥ 2) principals are checked in one subscription: all its
 * role assignments (at, above and below it) in one paged listing, instead of one `assignedTo()` each.
 * A principal's rows in it are exactly what `assignedTo()` returns for it as long as no group (or
 * foreign group) holds an assignment there: `assignedTo()` adds the assignments of the principal's
 * groups, and group membership is not visible here. So the listing is given up — `undefined`, and each
 * principal is listed on its own as before — as soon as a page shows a group (or a row without a
 * principal type), and when it would take `principals` pages or more (then it saves nothing). A
 * failed listing is given up too: each principal's own listing then fails or succeeds on its own.
 */
function sharedAssignments(
  ctx: FactContext,
  subscriptionId: string,
  principals: number,
): Promise<Fetched<RoleAssignmentFact[] | undefined>> {
  return ctx.fetch(factKeys.sharedAssignments(subscriptionId), async () => {
    const rows: SdkAssignment[] = [];
    let pages = 0;
    for await (const page of ctx.clients.authorization(subscriptionId).roleAssignments.listForSubscription().byPage()) {
      pages++;
      if (page.some((a) => !a.principalType || /group/i.test(a.principalType))) return undefined;
      rows.push(...page);
      if (getContinuationToken(page) !== undefined && pages >= principals - 1) return undefined;
    }
    return assignmentFacts(rows, subscriptionId);
  });
}

/** A principal's assignments in a subscription: from the shared listing when it was usable, else its own listing. */
async function principalAssignments(
  ctx: FactContext,
  subscriptionId: string,
  principalId: string,
  principals: number,
): Promise<Fetched<RoleAssignmentFact[]>> {
  const own = factKeys.assignments(subscriptionId, principalId);
  // A principal whose listing is already known (seeded by the sweep's discovery, or read) is never re-read.
  if (principals >= 2 && !ctx.has(own)) {
    const shared = await sharedAssignments(ctx, subscriptionId, principals);
    if (shared.ok && shared.value) {
      const pid = principalId.toLowerCase();
      ctx.seed(
        own,
        shared.value.filter((a) => a.principalId.toLowerCase() === pid),
      );
    }
  }
  return assignments(ctx, subscriptionId, principalId);
}

/** Every principal's assignments at, above and below a subscription in ONE paged listing, with the principal types. */
export interface SubscriptionAssignments {
  assignments: RoleAssignmentFact[];
  /** Lower-cased principal ids of assignments whose principal is a group (their members' access is not expanded here). */
  groupPrincipals: string[];
}

/**
 * The SWEEP's read: all role assignments of a subscription in one paged listing, instead of one
 * `assignedTo()` per identity. Not group-transitive (a principal's access through a group is not in
 * its own rows); the sweep says so when the subscription has group assignments.
 */
export async function subscriptionAssignments(ctx: FactContext, subscriptionId: string): Promise<Fetched<SubscriptionAssignments>> {
  return ctx.fetch(factKeys.allAssignments(subscriptionId), async () => {
    const list = await collectAll(ctx.clients.authorization(subscriptionId).roleAssignments.listForSubscription());
    const groups = new Set(list.filter((a) => a.principalType === "Group" && a.principalId).map((a) => a.principalId!.toLowerCase()));
    return { assignments: assignmentFacts(list, subscriptionId), groupPrincipals: [...groups] };
  });
}

/**
 * Every deny assignment at, above or below the subscription, shared by all the run's principals (deny
 * assignments are few — Azure creates them for managed apps and deployment stacks — so one listing
 * replaces one call per target). Which of them applies to a principal (named, or Everyone, and not
 * excluded) is decided where access is evaluated (effective-access.ts `denyApplies`), exactly as it
 * was for an `assignedTo()` listing.
 */
export function denies(ctx: FactContext, subscriptionId: string): Promise<Fetched<DenyAssignmentFact[]>> {
  return ctx.fetch(factKeys.denies(subscriptionId), async () => {
    const client = ctx.clients.authorization(subscriptionId);
    const list = await collectAll(client.denyAssignments.list());
    return list.flatMap((d): DenyAssignmentFact[] =>
      d.id && d.scope
        ? [
            {
              id: d.id,
              name: d.denyAssignmentName ?? d.name ?? d.id,
              scope: d.scope,
              principals: (d.principals ?? []).flatMap((p) => (p.id ? [p.id] : [])),
              excludePrincipals: (d.excludePrincipals ?? []).flatMap((p) => (p.id ? [p.id] : [])),
              permissions: (d.permissions ?? []).map(block),
              doNotApplyToChildScopes: d.doNotApplyToChildScopes === true,
              listedIn: subscriptionId.toLowerCase(),
            },
          ]
        : [],
    );
  });
}

export function definition(ctx: FactContext, subscriptionId: string, roleDefinitionId: string): Promise<Fetched<RoleDefinitionFact>> {
  // Role definition GUIDs are unique in the tenant (built-ins everywhere): one fetch per GUID per run.
  return ctx.fetch(factKeys.roleDefinition(roleDefinitionId), async () => {
    const d = await ctx.clients.authorization(subscriptionId).roleDefinitions.getById(roleDefinitionId);
    return {
      id: d.id ?? roleDefinitionId,
      name: (d.name ?? lastSegment(roleDefinitionId)).toLowerCase(),
      roleName: d.roleName ?? d.name ?? "",
      permissions: (d.permissions ?? []).map(block),
    };
  });
}

/** Where an assignment was listed (the subscription its role definition is read through) and its role definition id. */
export interface DefinitionRef {
  subscriptionId: string;
  roleDefinitionId: string;
}

/**
 * The role definitions a set of assignments uses, by lower-cased GUID: one fetch per GUID (a GUID seen in
 * several subscriptions is read through the last one listed; definitions are tenant-wide, so any will do).
 */
export async function definitionsFor(
  ctx: FactContext,
  assignments: Iterable<DefinitionRef>,
): Promise<Map<string, Fetched<RoleDefinitionFact>>> {
  const wanted = new Map<string, DefinitionRef>();
  for (const a of assignments) wanted.set(lastSegment(a.roleDefinitionId), a);
  const fetched = await Promise.all(
    [...wanted].map(async ([guid, a]) => [guid, await definition(ctx, a.subscriptionId, a.roleDefinitionId)] as const),
  );
  return new Map(fetched);
}

/**
 * `principals`: how many distinct principals the run checks (its targets' client ids); with two or more,
 * their assignments may come from one shared listing per subscription (see `sharedAssignments`).
 */
export function principalRbac(
  ctx: FactContext,
  principalId: string,
  subscriptions: readonly string[],
  principals = 1,
): Promise<PrincipalRbacFacts> {
  return ctx.derive(`rbac/${principalId}/${[...subscriptions].sort().join(",")}`, async () => {
    const facts: PrincipalRbacFacts = { principalId, assignments: new Map(), definitions: new Map(), denies: new Map() };
    await Promise.all(
      subscriptions.map(async (s) => {
        const [a, d] = await Promise.all([principalAssignments(ctx, s, principalId, principals), denies(ctx, s)]);
        facts.assignments.set(s.toLowerCase(), a);
        facts.denies.set(s.toLowerCase(), d);
      }),
    );
    const used = [...facts.assignments].flatMap(([subscriptionId, listing]) =>
      listing.ok ? listing.value.map((a) => ({ subscriptionId, roleDefinitionId: a.roleDefinitionId })) : [],
    );
    facts.definitions = await definitionsFor(ctx, used);
    return facts;
  });
}
