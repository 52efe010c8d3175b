/**
 * The sweep workload: an estate of N identities in a sandbox (latency on ARM and Graph), the sweep
 * engine run in a fresh process (bench/child/sweep.ts) `runs` times, each under a time cap. A run
 * that hits the cap is reported as unfinished with what it had done by then — never extrapolated
 * into a result.
 *
 * Two paths per estate, on the same sandbox: "resource-graph" (federated credentials from one verified
 * Resource Graph query) and "fallback" (the sandbox's Resource Graph stops indexing federated
 * credentials, the cross-check notices, and discovery lists every identity's credentials through ARM
 * with the concurrency cap) — the worst case the sweep can meet.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { startSandbox } from "../test/sandbox/index.js";
import { resourceGraphIndex } from "../test/sandbox/services/arm/resourcegraph.js";
import { FIC_TYPE } from "../shared/sweep/federated-credentials.js";
import { childEnv, runChild } from "./child-process.js";
import { sweepScenario, SWEEP_APP, SWEEP_APP_SECRET } from "./scenarios.js";
import { callPattern, countCalls, round, spread, type Spread } from "./stats.js";

interface SweepChild {
  seconds: number;
  discoverSeconds: number;
  checkSeconds: number;
  bindings: number;
  roleAssignments: number;
  unreadable: number;
  units: number;
  skipped: number;
  batches: number;
  discoveryCalls: number;
  checkCalls: number;
  findingIds: Record<string, number>;
  maxRssMB: number;
  credentialsFrom: string;
  verifiedIdentities: number;
  notices: string[];
}

export type SweepPath = "resource-graph" | "fallback";

export interface SweepResult {
  identities: number;
  /** How discovery read federated credentials (absent in results from before the two paths existed). */
  path?: SweepPath;
  /** Identities cross-checked against ARM (resource-graph path). */
  verifiedIdentities?: number;
  discoveryCalls?: number;
  checkCalls?: number;
  runs: number;
  finished: boolean;
  capSeconds: number;
  sandboxStartSeconds: number;
  seconds?: Spread;
  discoverSeconds?: number;
  checkSeconds?: number;
  bindings?: number;
  units?: number;
  calls: number;
  entraCalls: number;
  callsPerIdentity: number;
  callsPerBinding?: number;
  peakRssMB?: number;
  findingIds?: Record<string, number>;
  pattern: { call: string; count: number }[];
  /** When unfinished: how far it got (calls made by the cap). */
  note?: string;
}

/** Function instances take this many queue messages at once (host.json extensions.queues.batchSize). */
export const PARALLEL_BATCHES = 8;

export interface SweepOptions {
  identities: number;
  runs: number;
  latencyMs: number;
  capSeconds: number;
  paths: readonly SweepPath[];
  log: (line: string) => void;
}

/** One sandbox per estate size; every requested path measured on it. */
export async function sweepWorkload(opts: SweepOptions): Promise<SweepResult[]> {
  const t0 = performance.now();
  const sb = await startSandbox(sweepScenario(opts.identities, opts.latencyMs), { azurite: false });
  const sandboxStartSeconds = round((performance.now() - t0) / 1000, 2);
  const out: SweepResult[] = [];
  try {
    for (const path of opts.paths) {
      const gaps = resourceGraphIndex(sb.state).omitTypes;
      if (path === "fallback") gaps.add(FIC_TYPE);
      else gaps.delete(FIC_TYPE);
      out.push(await measure(sb, path, sandboxStartSeconds, opts));
    }
    return out;
  } finally {
    await sb.stop();
  }
}

async function measure(
  sb: Awaited<ReturnType<typeof startSandbox>>,
  sweepPath: SweepPath,
  sandboxStartSeconds: number,
  opts: SweepOptions,
): Promise<SweepResult> {
  const configFile = path.join(sb.workDir, "sweep.json");
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        cloud: sb.profileFile,
        tenantId: sb.state.tenantId,
        scopes: [{ name: "estate", subscriptions: [sb.state.subscriptions[0]!.subscriptionId] }],
      },
      null,
      2,
    ),
  );
  const env = childEnv(sb, {
    AZURE_CLIENT_ID: sb.app(SWEEP_APP).appId,
    AZURE_CLIENT_SECRET: SWEEP_APP_SECRET,
    AZURE_TENANT_ID: sb.state.tenantId,
  });
  const job = JSON.stringify({ configFile, scope: "estate", parallelBatches: PARALLEL_BATCHES });
  const seconds: number[] = [];
  let last: SweepChild | undefined;
  let calls = { azure: 0, entra: 0, byService: {} as Record<string, number> };
  let pattern: SweepResult["pattern"] = [];
  let peak = 0;
  for (let i = 0; i < opts.runs; i++) {
    const before = sb.log.entries.length;
    try {
      const { result } = await runChild<SweepChild>("sweep.ts", [job], env, opts.capSeconds * 1000);
      last = result;
    } catch (err) {
      const slice = sb.log.entries.slice(before);
      calls = countCalls(slice);
      opts.log(
        `  sweep ${opts.identities} identities (${sweepPath}): no result within ${opts.capSeconds} s (${calls.azure} Azure calls made): ${(err as Error).message.slice(0, 200)}`,
      );
      return {
        identities: opts.identities,
        path: sweepPath,
        runs: i,
        finished: false,
        capSeconds: opts.capSeconds,
        sandboxStartSeconds,
        calls: calls.azure,
        entraCalls: calls.entra,
        callsPerIdentity: round(calls.azure / opts.identities, 2),
        pattern: callPattern(slice),
        note: `stopped at the ${opts.capSeconds} s cap after ${calls.azure} Azure calls`,
        ...(seconds.length ? { seconds: spread(seconds) } : {}),
      };
    }
    const slice = sb.log.entries.slice(before);
    calls = countCalls(slice);
    pattern = callPattern(slice);
    seconds.push(last.seconds);
    peak = Math.max(peak, last.maxRssMB);
    opts.log(
      `  sweep ${opts.identities} identities (${sweepPath}) run ${i + 1}/${opts.runs}: ${last.seconds.toFixed(1)} s (discover ${last.discoverSeconds.toFixed(1)} s), ${calls.azure} Azure calls (discovery ${last.discoveryCalls}, check ${last.checkCalls}), ${last.units} units, credentials from ${last.credentialsFrom}`,
    );
    const expected = sweepPath === "fallback" ? "arm" : "resource-graph";
    if (last.credentialsFrom !== expected)
      throw new Error(`the ${sweepPath} sweep read federated credentials from ${last.credentialsFrom}, expected ${expected}`);
  }
  return {
    identities: opts.identities,
    path: sweepPath,
    verifiedIdentities: last!.verifiedIdentities,
    discoveryCalls: last!.discoveryCalls,
    checkCalls: last!.checkCalls,
    runs: opts.runs,
    finished: true,
    capSeconds: opts.capSeconds,
    sandboxStartSeconds,
    seconds: spread(seconds),
    discoverSeconds: round(last!.discoverSeconds, 2),
    checkSeconds: round(last!.checkSeconds, 2),
    bindings: last!.bindings,
    units: last!.units,
    calls: calls.azure,
    entraCalls: calls.entra,
    callsPerIdentity: round(calls.azure / opts.identities, 2),
    callsPerBinding: round(calls.azure / Math.max(1, last!.bindings), 2),
    peakRssMB: round(peak, 1),
    findingIds: last!.findingIds,
    pattern,
  };
}
