/**
 * Every federated credential of a subscription's user-assigned identities, for discovery.
 *
 * Fast path: ONE Resource Graph query (a few 1,000-row pages for the whole subscription) instead of
 * one ARM listing per identity. We could not confirm from documentation that Resource Graph indexes
 * the `…/federatedidentitycredentials` child type, and an index that silently lacks rows would make
 * the sweep see "no bindings" — a false pass. So the fast path is verified on every run: a sample of
 * identities (chosen from the run id, so it moves between runs) plus identities Resource Graph shows
 * with no credential (up to a cap) are listed through ARM and compared field by field. Any
 * disagreement, an incomplete answer or a Resource Graph error means per-identity ARM listings for the
 * whole subscription, with a notice in the report.
 *
 * Per-identity listings run through the discovery FactContext: at most `concurrency` in flight,
 * retried by the shared pipeline (Retry-After honoured within the run's retry budget), each identity
 * read at most once per run (the cross-checked ones are not listed again by the fallback).
 */
import { createHash } from "node:crypto";
import { firstLine } from "../azure/fetch-failure.js";
import type { FactContext } from "../azure/facts/fact-context.js";
import { federatedCredentialFact, federatedCredentials } from "../azure/facts/identity.js";
import type { FederatedCredentialFact, IdentityFact } from "../azure/facts/types.js";
import type { DiscoveryConfig } from "./sweep-config.js";

export const FIC_TYPE = "microsoft.managedidentity/userassignedidentities/federatedidentitycredentials";
const FIC_QUERY = `resources | where type =~ '${FIC_TYPE}' | project id, name, properties | order by id asc`;
const PAGE = 1000;

export interface SubscriptionCredentials {
  /** Lower-cased identity id → its credentials (only identities whose credentials were read). */
  byIdentity: Map<string, FederatedCredentialFact[]>;
  source: "resource-graph" | "arm";
  /** Identities whose credentials could not be listed (fallback path). */
  unreadable: { what: string; message: string }[];
  /** Shown in the report when the fast path was not used. */
  notice?: string;
  /** How many identities were cross-checked against ARM. */
  verified: number;
}

interface ArgRow {
  id?: unknown;
  name?: unknown;
  properties?: { issuer?: unknown; subject?: unknown; audiences?: unknown };
}

function parentIdentity(ficId: string): string | undefined {
  const at = ficId.toLowerCase().lastIndexOf("/federatedidentitycredentials/");
  return at > 0 ? ficId.slice(0, at).toLowerCase() : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** The subscription's credentials from Resource Graph, grouped by identity; throws when the answer is incomplete. */
async function fromResourceGraph(ctx: FactContext, subscriptionId: string): Promise<Map<string, FederatedCredentialFact[]>> {
  const out = new Map<string, FederatedCredentialFact[]>();
  const graph = await ctx.clients.resourceGraph();
  let skipToken: string | undefined;
  do {
    const page = await graph.resources({
      query: FIC_QUERY,
      subscriptions: [subscriptionId],
      options: { top: PAGE, ...(skipToken ? { skipToken } : {}) },
    });
    if (!Array.isArray(page.data)) throw new Error("Resource Graph answered rows in an unexpected format");
    for (const row of page.data as ArgRow[]) {
      const id = str(row.id);
      const parent = id ? parentIdentity(id) : undefined;
      if (!parent) continue;
      const p = row.properties ?? {};
      const audiences = Array.isArray(p.audiences) ? p.audiences.filter((a): a is string => typeof a === "string") : [];
      const fic = federatedCredentialFact({
        name: str(row.name) ?? id!.split("/").pop() ?? "",
        issuer: str(p.issuer) ?? "",
        subject: str(p.subject) ?? "",
        audiences,
      });
      out.set(parent, [...(out.get(parent) ?? []), fic]);
    }
    skipToken = page.skipToken ?? undefined;
    if (!skipToken && String(page.resultTruncated).toLowerCase() === "true") throw new Error("Resource Graph truncated the result");
  } while (skipToken);
  return out;
}

function canonical(fics: readonly FederatedCredentialFact[]): string {
  return JSON.stringify(
    fics
      .map((f) => [f.name.toLowerCase(), f.issuer, f.subject, [...f.audiences].sort()])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
}

/** The identities to cross-check: a sample ordered by a hash of (run seed, id), then ARG-empty ones up to the cap. */
export function verificationSample(
  identities: readonly IdentityFact[],
  argByIdentity: ReadonlyMap<string, unknown>,
  opts: { sample: number; emptyCap: number; seed: string },
): IdentityFact[] {
  const rank = (i: IdentityFact) => createHash("sha256").update(`${opts.seed}\n${i.id.toLowerCase()}`).digest("hex");
  const ordered = [...identities]
    .map((i) => ({ i, r: rank(i) }))
    .sort((a, b) => a.r.localeCompare(b.r))
    .map((x) => x.i);
  const picked = new Set(ordered.slice(0, opts.sample));
  let empty = 0;
  for (const i of ordered) {
    if (empty >= opts.emptyCap) break;
    if (argByIdentity.has(i.id.toLowerCase())) continue;
    empty++;
    picked.add(i);
  }
  return [...picked];
}

async function perIdentity(
  ctx: FactContext,
  identities: readonly IdentityFact[],
): Promise<Pick<SubscriptionCredentials, "byIdentity" | "unreadable">> {
  const byIdentity = new Map<string, FederatedCredentialFact[]>();
  const unreadable: SubscriptionCredentials["unreadable"] = [];
  const listings = await Promise.all(identities.map(async (i) => ({ i, r: await federatedCredentials(ctx, i) })));
  for (const { i, r } of listings) {
    if (r.ok) byIdentity.set(i.id.toLowerCase(), r.value);
    else unreadable.push({ what: `federated credentials of ${i.id}`, message: firstLine(r.error.message) });
  }
  return { byIdentity, unreadable };
}

export async function subscriptionCredentials(
  ctx: FactContext,
  subscriptionId: string,
  identities: readonly IdentityFact[],
  opts: Pick<DiscoveryConfig, "resourceGraph" | "verifySample" | "verifyEmptyCap"> & { seed: string },
): Promise<SubscriptionCredentials> {
  const fallback = async (why: string): Promise<SubscriptionCredentials> => ({
    ...(await perIdentity(ctx, identities)),
    source: "arm",
    verified: 0,
    notice: `Resource Graph does not index federated credentials here; listed them per identity (subscription ${subscriptionId}: ${why}).`,
  });
  if (!opts.resourceGraph) return { ...(await perIdentity(ctx, identities)), source: "arm", verified: 0 };

  const arg = await ctx.fetch(`arg-fic/${subscriptionId}`, () => fromResourceGraph(ctx, subscriptionId));
  if (!arg.ok) return fallback(`the query failed: ${arg.error.status ? `HTTP ${arg.error.status} ` : ""}${firstLine(arg.error.message)}`);

  const sample = verificationSample(identities, arg.value, { sample: opts.verifySample, emptyCap: opts.verifyEmptyCap, seed: opts.seed });
  const checked = await perIdentity(ctx, sample);
  if (checked.unreadable.length > 0)
    return fallback(`could not cross-check ${checked.unreadable[0]!.what}: ${checked.unreadable[0]!.message}`);
  for (const i of sample) {
    const fromArm = checked.byIdentity.get(i.id.toLowerCase()) ?? [];
    const fromArg = arg.value.get(i.id.toLowerCase()) ?? [];
    if (canonical(fromArm) !== canonical(fromArg)) {
      return fallback(`identity ${i.name} has ${fromArm.length} credential(s) in ARM, ${fromArg.length} in Resource Graph`);
    }
  }

  // Verified: Resource Graph's rows for every identity ARM lists (rows of identities ARM does not list are ignored).
  const byIdentity = new Map<string, FederatedCredentialFact[]>();
  for (const i of identities)
    byIdentity.set(i.id.toLowerCase(), checked.byIdentity.get(i.id.toLowerCase()) ?? arg.value.get(i.id.toLowerCase()) ?? []);
  return { byIdentity, source: "resource-graph", unreadable: [], verified: sample.length };
}
