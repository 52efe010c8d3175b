/**
 * `npm run bench [-- --quick] [--latency MS] [--runs N] [--sweep-cap S] [--no-peer]`
 *
 * Full run: the gate on 1, 5 and 50 targets (median of `--runs`, default 5, fresh processes) with the
 * `az` peer on the same sandbox; the sweep over 100, 1,000 and 10,000 generated identities, each on
 * both discovery paths (Resource Graph, verified; and the per-identity ARM fallback), each run capped
 * at `--sweep-cap` seconds, default 600 (a run that does not finish is reported as such).
 * Writes bench/results.json, bench/RESULTS.md and bench/chart.svg.
 * `--quick`: the gate on 5 targets (3 runs, peer once) and one 1,000-identity sweep on each path;
 * writes bench/results-quick.json only. Both print, as the LAST line, one JSON summary object.
 * `--render-only`: rewrites RESULTS.md and chart.svg from results.json without measuring.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gateWorkload, type GateResult, type PeerChoice } from "./gate-bench.js";
import { ensureAz } from "./peer/az.js";
import { evaluateTargets, writeOutputs, type Results } from "./report.js";
import { machine } from "./stats.js";
import { sweepWorkload, type SweepResult } from "./sweep-bench.js";
import { readFileSync, writeFileSync } from "node:fs";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    latency: { type: "string", default: "50" },
    runs: { type: "string" },
    "sweep-cap": { type: "string", default: "600" },
    "no-peer": { type: "boolean", default: false },
    "render-only": { type: "boolean", default: false },
  },
  strict: true,
});
const quick = values.quick === true;
const latencyMs = Number(values.latency);
const runs = Number(values.runs ?? (quick ? 3 : 5));
const capSeconds = Number(values["sweep-cap"]);
for (const [flag, v] of [["--latency", latencyMs], ["--runs", runs], ["--sweep-cap", capSeconds]] as const) {
  if (!Number.isFinite(v) || v < 0) {
    log(`bench: ${flag} must be a non-negative number`);
    process.exit(2);
  }
}

if (values["render-only"]) {
  // Re-renders RESULTS.md and chart.svg (and re-evaluates the targets) from bench/results.json, measuring nothing.
  const saved = JSON.parse(readFileSync(path.join(HERE, "results.json"), "utf8")) as Results;
  writeOutputs(HERE, { ...saved, targets: evaluateTargets(saved.gate, saved.sweep, saved.latencyMs) });
  log("re-rendered bench/RESULTS.md and bench/chart.svg from bench/results.json");
  process.exit(0);
}

let peer: PeerChoice | undefined;
if (!values["no-peer"]) {
  const az = ensureAz(log);
  peer = az.path ? { kind: "az-cli", azPath: az.path, note: az.note } : { kind: "sdk-loop", note: `${az.note}; falling back to the SDK loop` };
  log(`peer: ${peer.kind} (${peer.note})`);
}

const gateSizes = quick ? [5] : [1, 5, 50];
const gate: GateResult[] = [];
for (const targets of gateSizes) {
  // The az loop costs ~0.7 s per command: 3 runs where that is cheap, one at 50 targets (≈ 3 minutes).
  const peerRuns = quick ? 1 : targets >= 50 ? 1 : 3;
  log(`gate: ${targets} target(s), ${runs} run(s), peer ${peerRuns} run(s), ${latencyMs} ms latency`);
  gate.push(await gateWorkload({ targets, runs, peerRuns: peer ? peerRuns : 0, latencyMs, ...(peer ? { peer } : {}), log }));
}

const sweepSizes = quick ? [1000] : [100, 1000, 10000];
const sweep: SweepResult[] = [];
for (const identities of sweepSizes) {
  const sweepRuns = quick ? 1 : identities >= 10000 ? 1 : identities >= 1000 ? 3 : runs;
  log(`sweep: ${identities} identities, ${sweepRuns} run(s) per path, cap ${capSeconds} s`);
  sweep.push(...(await sweepWorkload({ identities, runs: sweepRuns, latencyMs, capSeconds, paths: ["resource-graph", "fallback"], log })));
}

const targets = evaluateTargets(gate, sweep, latencyMs);
const g5 = gate.find((g) => g.targets === 5);
const results: Results = {
  generatedAt: new Date().toISOString(),
  quick,
  latencyMs,
  machine: machine(),
  peer: peer ? { kind: peer.kind, note: peer.note } : { kind: "none", note: "--no-peer" },
  gate,
  sweep,
  targets,
  notes: [
    "Runs happen in fresh Node processes started with tsx (its transpiler adds to 'Process s' and to peak RSS); the sandbox runs in the benchmark's own process on the same 2 cores.",
    "Azure calls are counted from the sandbox's request log (ARM, Graph, Key Vault, Blob; Key Vault's unauthenticated 401 challenge included); Entra sign-ins are counted apart.",
    "The sweep runs the engine's steps (discover, planUnits, seedForUnits, checkUnits per batch with its seed JSON round-tripped) without the Blob/queue hops between Function invocations.",
    "Discovery lists role assignments once per subscription through ARM (the sandbox pages ARM lists by 100, so 10,000 identities × 3 assignments = 301 sequential pages: most of the 10,000-identity wall time); Resource Graph pages hold 1,000 rows.",
  ],
};
if (quick) writeFileSync(path.join(HERE, "results-quick.json"), `${JSON.stringify(results, null, 2)}\n`);
else writeOutputs(HERE, results);
for (const t of targets) log(`${t.met === true ? "MET " : t.met === false ? "MISS" : "----"} ${t.what}: ${t.measured} (goal ${t.goal})`);

const s1k = sweep.find((s) => s.identities === 1000 && s.path === "resource-graph") ?? sweep[0];
const f1k = sweep.find((s) => s.identities === 1000 && s.path === "fallback");
process.stdout.write(
  `${JSON.stringify({
    gateSeconds: g5?.seconds.median ?? null,
    peerGateSeconds: g5?.peer?.seconds.median ?? null,
    gateSpeedupVsPeer: g5?.speedupVsPeer ?? null,
    gateCallsPerTarget: g5?.callsPerTarget ?? null,
    sweepIdentities: s1k?.identities ?? null,
    sweepSeconds: s1k?.finished ? s1k.seconds!.median : null,
    sweepCalls: s1k?.calls ?? null,
    sweepCallsPerIdentity: s1k?.callsPerIdentity ?? null,
    sweepFallbackSeconds: f1k?.finished ? f1k.seconds!.median : null,
    sweepFallbackCalls: f1k?.calls ?? null,
    peer: peer?.kind ?? "none",
  })}\n`,
);
