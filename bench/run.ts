/**
 * `npm run bench [-- --quick [--results-md]] [--latency MS] [--runs N] [--sweep-cap S] [--no-peer] [--cli BIN --action INDEX] [--before]`
 *
 * Every run first measures start-up in plain Node — `node -e 0` (the floor), the bundled CLI's `--version`,
 * `--help` and a static `check`, the Action bundle in static mode — then static checks of 1, 100, 1,000 and 10,000
 * generated manifest files (Deployment + ServiceAccount + ConfigMap each) in one process. The CLI and the Action
 * are bundled from the current source into node_modules/.cache first; `--cli` / `--action` measure other builds
 * instead (e.g. an older checkout's), and `--before` writes bench/results-before.json (start-up, static scale,
 * gate; no sweep), the "before" column of RESULTS.md.
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
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gateWorkload, type GateResult, type PeerChoice } from "./gate-bench.js";
import { ensureAz } from "./peer/az.js";
import { evaluateTargets, markdown, writeOutputs, type Results } from "./report.js";
import { machine, round } from "./stats.js";
import { sweepWorkload, type SweepResult } from "./sweep-bench.js";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { startupWorkload, type StartupResult } from "./startup-bench.js";
import { staticScaleWorkload, type StaticScaleResult } from "./static-scale-bench.js";

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
    cli: { type: "string" },
    action: { type: "string" },
    before: { type: "boolean", default: false },
    "results-md": { type: "boolean", default: false },
  },
  strict: true,
});
const quick = values.quick === true;
const latencyMs = Number(values.latency);
const runs = Number(values.runs ?? (quick ? 3 : 5));
const capSeconds = Number(values["sweep-cap"]);
for (const [flag, v] of [
  ["--latency", latencyMs],
  ["--runs", runs],
  ["--sweep-cap", capSeconds],
] as const) {
  if (!Number.isFinite(v) || v < 0) {
    log(`bench: ${flag} must be a non-negative number`);
    process.exit(2);
  }
}

const ROOT = path.join(HERE, "..");
const beforeFile = path.join(HERE, "results-before.json");
const before = existsSync(beforeFile) ? (JSON.parse(readFileSync(beforeFile, "utf8")) as Results) : undefined;

if (values["render-only"]) {
  // Re-renders RESULTS.md and chart.svg (and re-evaluates the targets) from bench/results.json, measuring nothing.
  const saved = JSON.parse(readFileSync(path.join(HERE, "results.json"), "utf8")) as Results;
  writeOutputs(HERE, { ...saved, targets: evaluateTargets(saved) }, before);
  log("re-rendered bench/RESULTS.md and bench/chart.svg from bench/results.json");
  process.exit(0);
}

/** The shipped artefacts, built from the current source (never the committed dist/action, which may lag). */
function bundled(script: string, dir: string, entry: string): string {
  const out = path.join(ROOT, "node_modules", ".cache", dir);
  log(`building ${path.relative(ROOT, out)} (${script})`);
  execFileSync(process.execPath, [path.join(ROOT, "scripts", script), "--outdir", out], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  });
  return path.join(out, entry);
}
const loadAtStart = os.loadavg();
const cli = values.cli ? path.resolve(values.cli) : bundled("bundle-cli.mjs", "bench-cli", "bin.js");
const action = values.action ? path.resolve(values.action) : bundled("bundle-action.mjs", "bench-action", "index.js");

log(`start-up: ${quick ? 5 : 11} interleaved runs of node -e 0, --version, --help, static check, Action (static mode)`);
const startup: StartupResult = await startupWorkload({ runs: quick ? 5 : 11, cli, action, root: ROOT, log });
log("static checks at scale: 1, 100, 1,000, 10,000 manifest files");
const staticScale: StaticScaleResult[] = await staticScaleWorkload({
  sizes: [1, 100, 1000, 10000],
  runs: (n) => (quick || n >= 10000 ? 1 : 3),
  cli,
  log,
});

let peer: PeerChoice | undefined;
if (!values["no-peer"]) {
  const az = ensureAz(log);
  peer = az.path
    ? { kind: "az-cli", azPath: az.path, note: az.note }
    : { kind: "sdk-loop", note: `${az.note}; falling back to the SDK loop` };
  log(`peer: ${peer.kind} (${peer.note})`);
}

const gateSizes = quick || values.before ? [5] : [1, 5, 50];
const gate: GateResult[] = [];
for (const targets of gateSizes) {
  // The az loop costs ~0.7 s per command: 3 runs where that is cheap, one at 50 targets (≈ 3 minutes).
  const peerRuns = quick ? 1 : targets >= 50 ? 1 : 3;
  log(`gate: ${targets} target(s), ${runs} run(s), peer ${peerRuns} run(s), ${latencyMs} ms latency`);
  gate.push(await gateWorkload({ targets, runs, peerRuns: peer ? peerRuns : 0, latencyMs, cli, ...(peer ? { peer } : {}), log }));
}

const sweepSizes = values.before ? [] : quick ? [1000] : [100, 1000, 10000];
const sweep: SweepResult[] = [];
for (const identities of sweepSizes) {
  const sweepRuns = quick ? 1 : identities >= 10000 ? 1 : identities >= 1000 ? 3 : runs;
  log(`sweep: ${identities} identities, ${sweepRuns} run(s) per path, cap ${capSeconds} s`);
  sweep.push(...(await sweepWorkload({ identities, runs: sweepRuns, latencyMs, capSeconds, paths: ["resource-graph", "fallback"], log })));
}

const g5 = gate.find((g) => g.targets === 5);
const measured: Omit<Results, "targets"> = {
  generatedAt: new Date().toISOString(),
  quick,
  latencyMs,
  machine: machine(),
  // Other work on the machine during the run (1-minute load average at the start and the end; cores: machine.cores).
  loadAverage: { start: round(loadAtStart[0]!, 1), end: round(os.loadavg()[0]!, 1) },
  peer: peer ? { kind: peer.kind, note: peer.note } : { kind: "none", note: "--no-peer" },
  startup,
  staticScale,
  gate,
  sweep,
  notes: [
    "Start-up, static scale and the gate's 'Process s' run the bundled CLI (scripts/bundle-cli.mjs, what npm ships) and the Action bundle in fresh plain-Node processes, spawn to exit; the gate's in-process wall and the sweep run the TypeScript source in fresh processes started with tsx (its transpiler adds to their peak RSS); the sandbox runs in the benchmark's own process on the same 2 cores.",
    "Azure calls are counted from the sandbox's request log (every ARM, Graph, Key Vault and Blob request, retries and authentication challenges included; the gate's secret properties are an ARM listing, so it sends none to Key Vault); Entra sign-ins are counted apart.",
    "The sweep runs the engine's steps (discover, planUnits, seedForUnits, checkUnits per batch with its seed JSON round-tripped) without the Blob/queue hops between Function invocations.",
    "Discovery lists role assignments once per subscription through ARM (the sandbox pages ARM lists by 100, so 10,000 identities × 3 assignments = 301 sequential pages: most of the 10,000-identity wall time); Resource Graph pages hold 1,000 rows.",
  ],
};
const results: Results = { ...measured, targets: evaluateTargets(measured) };
if (values.before) writeFileSync(beforeFile, `${JSON.stringify({ ...results, cli, action }, null, 2)}\n`);
else if (quick) {
  writeFileSync(path.join(HERE, "results-quick.json"), `${JSON.stringify(results, null, 2)}\n`);
  // `--quick --results-md`: RESULTS.md from this quick run (results.json, the last full run, stays as it is).
  if (values["results-md"])
    writeFileSync(
      path.join(HERE, "RESULTS.md"),
      markdown(
        {
          ...results,
          notes: [
            ...results.notes,
            "This RESULTS.md is from a quick run (`--quick --results-md`): gate on 5 targets only, sweep at 1,000 identities; the last full run (1/5/50 targets, sweeps to 10,000 identities) is in results.json and bench/README.md.",
          ],
        },
        before,
      ),
    );
} else writeOutputs(HERE, results, before);
const targets = results.targets;
for (const t of targets) log(`${t.met === true ? "MET " : t.met === false ? "MISS" : "----"} ${t.what}: ${t.measured} (goal ${t.goal})`);

const s1k = sweep.find((s) => s.identities === 1000 && s.path === "resource-graph") ?? sweep[0];
const f1k = sweep.find((s) => s.identities === 1000 && s.path === "fallback");
process.stdout.write(
  `${JSON.stringify({
    nodeFloorSeconds: startup.floor.median,
    versionSeconds: startup.version.median,
    helpSeconds: startup.help.median,
    staticCheckSeconds: startup.staticCheck.median,
    versionVsFloor: startup.ratios.version,
    helpVsFloor: startup.ratios.help,
    staticCheckVsFloor: startup.ratios.staticCheck,
    actionImportSeconds: startup.actionImport.median,
    actionProcessSeconds: startup.actionProcess.median,
    gateTargets: g5?.targets ?? null,
    gateLatencyMs: latencyMs,
    gateProcessSeconds: g5?.processSeconds.median ?? null,
    gateProcessCpuSeconds: g5?.processCpuSeconds?.median ?? null,
    gateInProcessSeconds: g5?.seconds.median ?? null,
    gateSeconds: g5?.seconds.median ?? null,
    peerGateSeconds: g5?.peer?.seconds.median ?? null,
    gateSpeedupVsPeer: g5?.speedupVsPeer ?? null,
    gateSpeedupVsPeerInProcess: g5?.speedupVsPeerInProcess ?? null,
    staticScale: staticScale.map((s) => ({
      files: s.files,
      mb: Math.round(s.bytes / 1e4) / 100,
      seconds: s.seconds.median,
      cpuSeconds: s.cpuSeconds?.median ?? null,
      filesPerSecond: s.filesPerSecond,
      mbPerSecond: s.mbPerSecond,
      peakRssMB: s.peakRssMB,
    })),
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
