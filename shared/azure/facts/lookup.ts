/** Finds a storage account or vault by name (or ARM id) in the subscriptions' memoised listings. */
import { sameArmId, subscriptionOf } from "../arm-id.js";
import type { FactContext } from "./fact-context.js";
import type { Fetched, ResourceLookup } from "./types.js";

export async function findResource<T extends { id: string; name: string }>(
  ctx: FactContext,
  label: string,
  wanted: string,
  subscriptions: readonly string[],
  list: (subscriptionId: string) => Promise<Fetched<T[]>>,
): Promise<ResourceLookup<T>> {
  const byId = wanted.startsWith("/");
  const subs = byId ? [subscriptionOf(wanted) ?? ""].filter(Boolean) : [...subscriptions];
  return ctx.derive(`find/${label}/${wanted}/${subs.join(",")}`, async () => {
    const lookup: ResourceLookup<T> = { wanted, searchedSubscriptions: subs, unreadable: [] };
    const listings = await Promise.all(subs.map(async (s) => ({ s, r: await list(s) })));
    for (const { s, r } of listings) {
      if (!r.ok) {
        lookup.unreadable.push({ what: `${label}s in subscription ${s}`, error: r.error });
        continue;
      }
      lookup.resource ??= r.value.find((x) => (byId ? sameArmId(x.id, wanted) : x.name.toLowerCase() === wanted.toLowerCase()));
    }
    if (lookup.resource) lookup.unreadable = [];
    return lookup;
  });
}
