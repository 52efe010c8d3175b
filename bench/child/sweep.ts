/**
 * One measured sweep, in its own process: the sweep engine's steps as the Function runs them —
 * discovery of the scope (`discover`), planning into check units and queue batches (`planUnits`,
 * `batches`) with each batch's seed of discovered facts (`seedForUnits`, JSON round-tripped as it
 * would be through Blob), then every batch's AG2xx checks (`checkUnits`, i.e. runGate per cluster on
 * one seeded fact cache per batch) with as many batches in flight as one Function instance takes off
 * its queue at once (host.json `extensions.queues.batchSize`). The Blob/queue hops between steps are
 * left out: they are storage round trips, not Azure control-plane calls, and the Function tests cover
 * them.
 *
 * argv[2] is a JSON job: { configFile, scope, parallelBatches }. Signs in like the Function would with
 * DefaultAzureCredential (here: AZURE_CLIENT_ID / AZURE_CLIENT_SECRET / AZURE_TENANT_ID).
 * Prints one JSON line: phase timings, units, findings by id, the engine's own call counts, peak RSS.
 */
import { dirname } from "node:path";
import { DefaultAzureCredential } from "@azure/identity";
import { AzureClients } from "../../shared/azure/clients.js";
import { resolveConfigCloud } from "../../shared/config/load.js";
import { batches, checkUnits, planUnits, type CheckUnit } from "../../shared/sweep/check-batch.js";
import { loadSweepConfig, scopeByName } from "../../shared/sweep/sweep-config.js";
import { discover } from "../../shared/sweep/discover.js";
import { seedForUnits } from "../../shared/sweep/batch-seed.js";
import type { FactSeed } from "../../shared/azure/facts/seed.js";

interface Job {
  configFile: string;
  scope: string;
  parallelBatches: number;
}

const job = JSON.parse(process.argv[2] ?? "{}") as Job;
const started = performance.now();
const config = loadSweepConfig(job.configFile);
const profile = resolveConfigCloud(config.cloud, dirname(job.configFile), job.configFile, true);
const credential = new DefaultAzureCredential({
  authorityHost: profile.authorityHost,
  disableInstanceDiscovery: profile.disableInstanceDiscovery,
  tenantId: config.tenantId,
});
const scope = scopeByName(config, job.scope);

const discoveryClients = new AzureClients(profile, credential, { retry: { budgetMs: config.retryBudgetSeconds * 1000 } });
const { inventory, facts, stats } = await discover(discoveryClients, scope, { discovery: config.discovery, sampleSeed: "bench" });
const discovered = performance.now();
const { units, skipped } = planUnits(scope, inventory);
const queue: { units: CheckUnit[]; seed: string }[] = batches(units, config.batchSize).map((b) => ({
  units: b,
  seed: JSON.stringify(seedForUnits(facts, b)),
}));

const findingIds: Record<string, number> = {};
let checkCalls = 0;
let next = 0;
async function worker(): Promise<void> {
  while (next < queue.length) {
    const batch = queue[next++]!;
    const seed = JSON.parse(batch.seed) as FactSeed;
    const { findings, azureCalls } = await checkUnits({ units: batch.units, scope, config, profile, credential, now: new Date(), seed });
    checkCalls += azureCalls;
    for (const f of findings) findingIds[f.id] = (findingIds[f.id] ?? 0) + 1;
  }
}
await Promise.all(Array.from({ length: Math.max(1, job.parallelBatches) }, () => worker()));
const checked = performance.now();

process.stdout.write(
  `${JSON.stringify({
    seconds: (checked - started) / 1000,
    discoverSeconds: (discovered - started) / 1000,
    checkSeconds: (checked - discovered) / 1000,
    processSeconds: checked / 1000,
    bindings: inventory.bindings.length,
    roleAssignments: inventory.roleAssignments.length,
    credentialsFrom: Object.values(stats.credentialsFrom).join(","),
    verifiedIdentities: stats.verifiedIdentities,
    notices: inventory.notices ?? [],
    unreadable: inventory.unreadable.length,
    units: units.length,
    skipped: skipped.length,
    batches: queue.length,
    discoveryCalls: discoveryClients.calls.snapshot().total,
    checkCalls,
    findingIds,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
