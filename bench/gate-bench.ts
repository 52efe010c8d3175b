/**
 * The gate workload: one sandbox with N targets (latency on ARM and Graph), the CLI run `runs` times
 * in fresh processes, and the peer's script run against the same sandbox. Calls come from the
 * sandbox's request log, not from the gate's own count.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { startSandbox } from "../test/sandbox/index.js";
import { childEnv, runChild } from "./child-process.js";
import { timeEntry } from "./process-timing.js";
import { azPeer, type Peer, type PeerTarget } from "./peer/az.js";
import { sdkLoopPeer } from "./peer/sdk-loop.js";
import { appName, GATE_APP, GATE_APP_SECRET, gateConfig, gateScenario, STORAGE_ACCOUNT, VAULT } from "./scenarios.js";
import { callPattern, countCalls, round, spread, type Spread } from "./stats.js";

interface GateChild {
  code: number;
  seconds: number;
  processSeconds: number;
  maxRssMB: number;
  verdict: string;
  azureCalls?: number;
  findings: string[];
  stderr: string;
}

export interface PeerChoice {
  kind: "az-cli" | "sdk-loop";
  azPath?: string;
  note: string;
}

export interface GateResult {
  targets: number;
  runs: number;
  /** In-process: the CLI's `main` with its modules loaded (tsx child). */
  seconds: Spread;
  /** Whole process: `node dist/cli/bin.js check --config …` (the bundle npm ships), spawn to exit. */
  processSeconds: Spread;
  /** The bundle's load + run after Node's start-up (its `import()`). */
  bundleImportSeconds?: Spread;
  /** CPU (user + system) of that process. */
  processCpuSeconds?: Spread;
  processPeakRssMB?: number;
  verdicts: string[];
  calls: number;
  entraCalls: number;
  callsByService: Record<string, number>;
  callsPerTarget: number;
  reportAzureCalls?: number;
  peakRssMB: number;
  pattern: { call: string; count: number }[];
  refusedEgress: number;
  peer?: { kind: string; runs: number; seconds: Spread; commands: number; calls: number; callsPerTarget: number; refusedEgress: number };
  /** Peer's process wall (its script, every `az` process) over the gate's process wall: what a user compares. */
  speedupVsPeer?: number;
  /** The same against the gate's in-process wall (the figure reported before the process column existed). */
  speedupVsPeerInProcess?: number;
}

export async function gateWorkload(opts: {
  targets: number;
  runs: number;
  peerRuns: number;
  latencyMs: number;
  cli: string;
  peer?: PeerChoice;
  log: (line: string) => void;
}): Promise<GateResult> {
  const { targets } = opts;
  const sb = await startSandbox(gateScenario(targets, opts.latencyMs), { azurite: false });
  try {
    const clientIds = Array.from({ length: targets }, (_, i) => sb.identity(`${appName(i)}-id`).clientId);
    const configFile = path.join(sb.workDir, "azure-auth-gate.yml");
    writeFileSync(
      configFile,
      gateConfig({
        profileFile: sb.profileFile,
        tenantId: sb.state.tenantId,
        subscriptionId: sb.state.subscriptions[0]!.subscriptionId,
        clientIds,
      }),
    );
    const env = childEnv(sb, {
      AZURE_CLIENT_ID: sb.app(GATE_APP).appId,
      AZURE_CLIENT_SECRET: GATE_APP_SECRET,
      AZURE_TENANT_ID: sb.state.tenantId,
    });

    const seconds: number[] = [];
    const processSeconds: number[] = [];
    const bundleImport: number[] = [];
    const processCpu: number[] = [];
    const verdicts: string[] = [];
    let peak = 0;
    let processPeak = 0;
    let calls = { azure: 0, entra: 0, byService: {} as Record<string, number> };
    let pattern: GateResult["pattern"] = [];
    let reportAzureCalls: number | undefined;
    for (let i = 0; i < opts.runs; i++) {
      const before = sb.log.entries.length;
      const { result } = await runChild<GateChild>("gate.ts", [configFile], env);
      if (result.code !== 0 || result.verdict !== "pass")
        throw new Error(
          `gate on ${targets} target(s) did not pass (exit ${result.code}, ${result.verdict}): ${result.stderr || result.findings.slice(0, 3).join("; ")}`,
        );
      const slice = sb.log.entries.slice(before);
      calls = countCalls(slice);
      pattern = callPattern(slice);
      reportAzureCalls = result.azureCalls;
      seconds.push(result.seconds);
      verdicts.push(result.verdict);
      peak = Math.max(peak, result.maxRssMB);
      // The same gate as a user runs it: the shipped bundle, a fresh plain-Node process.
      const whole = await timeEntry(
        opts.cli,
        ["check", "--config", configFile, "--allow-custom-cloud", "--format", "json", "--fail-on", "never"],
        { env },
      );
      const wholeVerdict = /"verdict":\s*"(\w+)"/.exec(whole.stdout)?.[1];
      if (whole.code !== 0 || wholeVerdict !== "pass")
        throw new Error(
          `bundled CLI on ${targets} target(s) did not pass (exit ${whole.code}, ${wholeVerdict}): ${whole.stderr.trim().split("\n")[0] ?? ""}`,
        );
      processSeconds.push(whole.seconds);
      bundleImport.push(whole.importSeconds);
      processCpu.push(whole.cpuSeconds);
      processPeak = Math.max(processPeak, whole.maxRssMB);
      opts.log(
        `  gate ${targets} target(s) run ${i + 1}/${opts.runs}: process ${whole.seconds.toFixed(3)} s, in-process ${result.seconds.toFixed(3)} s, ${calls.azure} Azure calls`,
      );
    }
    const out: GateResult = {
      targets,
      runs: opts.runs,
      seconds: spread(seconds),
      processSeconds: spread(processSeconds),
      bundleImportSeconds: spread(bundleImport),
      processCpuSeconds: spread(processCpu),
      processPeakRssMB: round(processPeak, 1),
      verdicts: [...new Set(verdicts)],
      calls: calls.azure,
      entraCalls: calls.entra,
      callsByService: calls.byService,
      callsPerTarget: round(calls.azure / targets, 2),
      ...(reportAzureCalls !== undefined ? { reportAzureCalls } : {}),
      peakRssMB: round(peak, 1),
      pattern,
      refusedEgress: sb.log.refusedEgress.length,
    };

    if (opts.peer && opts.peerRuns > 0) {
      const peer: Peer =
        opts.peer.kind === "az-cli"
          ? await azPeer(sb, opts.peer.azPath!, opts.peer.note, sb.app(GATE_APP).appId)
          : sdkLoopPeer(sb, opts.peer.note, sb.app(GATE_APP).appId, GATE_APP_SECRET);
      const peerTargets: PeerTarget[] = clientIds.map((clientId, i) => ({
        resourceGroup: "app-rg",
        cluster: "aks-prod",
        identityName: `${appName(i)}-id`,
        clientId,
        vault: VAULT,
        storageAccount: STORAGE_ACCOUNT,
      }));
      const peerSeconds: number[] = [];
      let commands = 0;
      let peerCalls = 0;
      const refusedBefore = sb.log.refusedEgress.length;
      for (let i = 0; i < opts.peerRuns; i++) {
        const before = sb.log.entries.length;
        const r = await peer.check(peerTargets);
        peerSeconds.push(r.seconds);
        commands = r.commands;
        peerCalls = countCalls(sb.log.entries.slice(before)).azure;
        opts.log(
          `  peer (${peer.kind}) ${targets} target(s) run ${i + 1}/${opts.peerRuns}: ${r.seconds.toFixed(2)} s, ${r.commands} commands, ${peerCalls} Azure calls`,
        );
      }
      out.peer = {
        kind: peer.kind,
        runs: opts.peerRuns,
        seconds: spread(peerSeconds),
        commands,
        calls: peerCalls,
        callsPerTarget: round(peerCalls / targets, 2),
        refusedEgress: sb.log.refusedEgress.length - refusedBefore,
      };
      out.speedupVsPeer = round(out.peer.seconds.median / out.processSeconds.median, 1);
      out.speedupVsPeerInProcess = round(out.peer.seconds.median / out.seconds.median, 1);
    }
    return out;
  } finally {
    await sb.stop();
  }
}
