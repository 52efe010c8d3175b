/**
 * The sweep as host-neutral steps. The Function's triggers call these (functions/), each invocation
 * doing one step and leaving its result in Blob:
 *
 *   startRun        timer / HTTP    discover bindings, write the run manifest, enqueue one message per batch + one for secrets
 *   checkBatch      queue           AG2xx checks for one batch → runs/<id>/parts/bindings-NNNN.json
 *   secretsPart     queue           AG401–AG405 (scan + opted-in rotations) → runs/<id>/parts/secrets.json
 *   completeIfDone  after a part    all parts present in Blob → enqueue the report message
 *   assembleReport  queue           merge parts, drift vs the previous run (AG406), write audit JSON + Markdown once, post
 */
import type { TokenCredential } from "@azure/core-auth";
import type { AzureClients, RetrySettings } from "../azure/clients.js";
import type { CloudProfile } from "../cloud/profile.js";
import { sortFindings, withoutInternals, type Finding, type Report } from "../findings/model.js";
import { applyPolicy } from "../findings/severity-and-waivers.js";
import { dedupeFindings } from "../gate/azure-layers.js";
import { buildReport, runMetadata } from "../report/build.js";
import type { GraphClient } from "../azure/graph.js";
import type { SecretMask } from "../rotation/mask.js";
import type { CredentialVerifier, RotationLock, SecretStore } from "../rotation/ports.js";
import type { RotationOutcome, StepHook } from "../rotation/rotate.js";
import { runRotation } from "../rotation/rotation-run.js";
import { batches, checkUnits, planUnits, type CheckUnit } from "./check-batch.js";
import { scopeByName, type SweepConfig, type VaultSecretRef } from "./sweep-config.js";
import { discover, type Inventory } from "./discover.js";
import { isFactSeed, type FactSeed } from "../azure/facts/seed.js";
import { Limiter } from "../azure/concurrency.js";
import { seedForUnits } from "./batch-seed.js";
import { bindingChanges, findingDrift, type FindingDrift } from "./drift.js";
import { newRunId, paths, QUEUES, type BindingsMessage, type SecretsMessage } from "./queue-messages.js";
import { postWebhook, upsertIssue } from "./notify.js";
import { renderAudit } from "./audit-markdown.js";
import { log } from "../log.js";
import type { RunStore, WorkQueues } from "./run-state.js";

export interface SweepRuntime {
  config: SweepConfig;
  profile: CloudProfile;
  /** The Function's own identity. */
  credential: TokenCredential;
  /** ARM + Graph clients for one step (fresh per invocation: each has its own call log and retry budget). */
  clients(): AzureClients;
  store: RunStore;
  queues: WorkQueues;
  lock: RotationLock;
  verifier: CredentialVerifier;
  secretStore(vault: string): SecretStore;
  /** Reads a secret's value from Key Vault (GitHub token, webhook URL). */
  readSecret(ref: VaultSecretRef): Promise<string>;
  mask: SecretMask;
  now(): Date;
  random(): string;
  sleep?: (ms: number) => Promise<void>;
  beforeStep?: StepHook;
  /** This gate deployment's name (the Function app's), written into the managed-secret marker. */
  deployment?: string;
  retry?: Partial<RetrySettings>;
}

export interface RunManifest {
  runId: string;
  scope: string;
  startedAt: string;
  parts: string[];
  rotate: boolean;
  inventory: Inventory;
  skipped: { binding: string; reason: string }[];
}

export interface PartResult {
  part: string;
  findings: Finding[];
  azureCalls?: number;
  rotations?: Omit<RotationOutcome, "findings">[];
  /** Apps and service principals whose secrets were scanned. */
  secretHolders?: number;
}

export interface AuditPointer {
  scopes: Record<string, { runId: string; generatedAt: string; json: string; markdown: string; verdict: string }>;
}

/** Seed blobs uploaded at once while planning a run. */
const SEED_WRITES_IN_FLIGHT = 16;

export function partName(index: number): string {
  return `bindings-${String(index).padStart(4, "0")}`;
}

/** Discovers the scope, writes the run's manifest and returns the messages that do the work. */
export async function planSweep(
  rt: SweepRuntime,
  scopeName: string,
  options: { rotate: boolean },
): Promise<{ manifest: RunManifest; messages: (BindingsMessage | SecretsMessage)[] }> {
  const scope = scopeByName(rt.config, scopeName);
  const now = rt.now();
  const runId = newRunId(now, rt.random);
  const { inventory, facts } = await discover(rt.clients(), scope, { discovery: rt.config.discovery, sampleSeed: runId });
  const { units, skipped } = planUnits(scope, inventory);
  const groups: CheckUnit[][] = batches(units, rt.config.batchSize);
  const messages: (BindingsMessage | SecretsMessage)[] = groups.map((g, i) => ({
    kind: "bindings",
    runId,
    scope: scope.name,
    part: partName(i),
    units: g,
  }));
  // Each batch's share of what discovery read, next to its message (written before the message is sent).
  const writes = new Limiter(SEED_WRITES_IN_FLIGHT);
  await Promise.all(
    groups.map((g, i) => writes.run(() => rt.store.put(paths.seed(runId, partName(i)), JSON.stringify(seedForUnits(facts, g))))),
  );
  messages.push({ kind: "secrets", runId, scope: scope.name, part: "secrets", rotate: options.rotate });
  const manifest: RunManifest = {
    runId,
    scope: scope.name,
    startedAt: now.toISOString(),
    parts: messages.map((m) => m.part),
    rotate: options.rotate,
    inventory,
    skipped,
  };
  await rt.store.put(paths.manifest(runId), JSON.stringify(manifest, null, 2));
  log.info(
    `run ${runId} (${scope.name}): ${inventory.bindings.length} binding(s), ${units.length} check unit(s) in ${groups.length} batch(es), ${skipped.length} skipped`,
  );
  for (const notice of inventory.notices ?? []) log.info(`run ${runId}: ${notice}`);
  return { manifest, messages };
}

/** Timer entry: plans the run and enqueues its work. */
export async function startRun(rt: SweepRuntime, scopeName: string, options: { rotate: boolean }): Promise<RunManifest> {
  const { manifest, messages } = await planSweep(rt, scopeName, options);
  for (const m of messages) await rt.queues.send(m.kind === "bindings" ? QUEUES.bindings : QUEUES.secrets, m);
  return manifest;
}

async function writePart(rt: SweepRuntime, runId: string, result: PartResult): Promise<void> {
  // A redelivered message recomputes the same part; the first result written wins.
  const written = await rt.store.putOnce(
    paths.part(runId, result.part),
    rt.mask.mask(JSON.stringify(withoutInternals(result), null, 2)),
    "application/json",
  );
  if (!written) log.info(`run ${runId}: part ${result.part} was already written (redelivered message)`);
}

/** The batch's seed, when the run wrote one this version understands (otherwise the check reads everything itself). */
async function readSeed(rt: SweepRuntime, msg: BindingsMessage): Promise<FactSeed | undefined> {
  const raw = await rt.store.getJson<unknown>(paths.seed(msg.runId, msg.part));
  return isFactSeed(raw) ? raw : undefined;
}

export async function checkBatch(rt: SweepRuntime, msg: BindingsMessage): Promise<PartResult> {
  const scope = scopeByName(rt.config, msg.scope);
  const seed = await readSeed(rt, msg);
  const { findings, azureCalls } = await checkUnits({
    units: msg.units as CheckUnit[],
    scope,
    config: rt.config,
    profile: rt.profile,
    credential: rt.credential,
    now: rt.now(),
    ...(rt.retry ? { retry: rt.retry } : {}),
    ...(seed ? { seed } : {}),
  });
  const result: PartResult = { part: msg.part, findings, azureCalls };
  await writePart(rt, msg.runId, result);
  log.info(`run ${msg.runId}: ${msg.part} checked ${msg.units.length} unit(s): ${findings.length} finding(s)`);
  return result;
}

export async function secretsPart(rt: SweepRuntime, msg: SecretsMessage, graph: GraphClient): Promise<PartResult> {
  const scope = scopeByName(rt.config, msg.scope);
  const outcome = await runRotation({
    graph,
    storeFor: (vault) => rt.secretStore(vault),
    verifier: rt.verifier,
    lock: rt.lock,
    policy: rt.config.rotation,
    mask: rt.mask,
    scope: scope.applications,
    now: () => rt.now(),
    rotate: msg.rotate,
    ...(rt.sleep ? { sleep: rt.sleep } : {}),
    ...(rt.beforeStep ? { beforeStep: rt.beforeStep } : {}),
    ...(rt.deployment ? { deployment: rt.deployment } : {}),
  });
  const result: PartResult = {
    part: msg.part,
    findings: outcome.findings,
    rotations: outcome.rotations.map(({ findings: _f, ...rest }) => rest),
    secretHolders: outcome.inScope,
  };
  await writePart(rt, msg.runId, result);
  log.info(
    `run ${msg.runId}: secrets scanned ${outcome.inScope} holder(s), ${outcome.rotations.length} rotation(s), ${outcome.findings.length} finding(s)`,
  );
  return result;
}

/** Whether every part of the run is in Blob (the only source of truth for completion). */
export async function isComplete(rt: SweepRuntime, runId: string): Promise<boolean> {
  const manifest = await rt.store.getJson<RunManifest>(paths.manifest(runId));
  if (!manifest) return false;
  const present = new Set((await rt.store.list(paths.parts(runId))).map((n) => n.slice(paths.parts(runId).length).replace(/\.json$/, "")));
  return manifest.parts.every((p) => present.has(p));
}

export async function completeIfDone(rt: SweepRuntime, runId: string): Promise<boolean> {
  if (!(await isComplete(rt, runId))) return false;
  await rt.queues.send(QUEUES.report, { kind: "report", runId });
  return true;
}

export interface Assembled {
  report: Report;
  /** false when another invocation already wrote this run's report (nothing posted twice). */
  written: boolean;
  json: string;
  markdown: string;
  paths: { json: string; markdown: string };
}

/** Merges a complete run's parts into the audit report, writes it once and posts it. */
export async function assembleReport(rt: SweepRuntime, runId: string): Promise<Assembled> {
  const manifest = await rt.store.getJson<RunManifest>(paths.manifest(runId));
  if (!manifest) throw new Error(`run ${runId} has no manifest`);
  const parts: PartResult[] = [];
  for (const p of manifest.parts) {
    const part = await rt.store.getJson<PartResult>(paths.part(runId, p));
    if (!part) throw new Error(`run ${runId} is not complete: part ${p} is missing`);
    parts.push(part);
  }
  const pointer = await rt.store.getJson<AuditPointer>(paths.latest);
  const previousRef = pointer?.scopes[manifest.scope];
  const previous = previousRef && previousRef.runId !== runId ? await rt.store.getJson<Report>(previousRef.json) : undefined;
  const previousInventory = previous?.metadata.inventory as Inventory | undefined;

  const changes = bindingChanges(previousInventory, manifest.inventory);
  // Gate findings (bindings parts) already carry the config's policy and executePlan's fail-closed handling
  // of unverified facts, which a second pass of severity overrides must not undo: apply the policy to
  // the sweep's own findings (secrets, AG406) only.
  const gate = parts.filter((p) => p.part.startsWith("bindings-")).flatMap((p) => p.findings);
  const own = [...parts.filter((p) => !p.part.startsWith("bindings-")).flatMap((p) => p.findings), ...changes];
  const findings = sortFindings(
    dedupeFindings([...gate, ...applyPolicy(own, { severity: rt.config.severity, waivers: rt.config.waivers })]),
  );
  const drift: FindingDrift = findingDrift(previous?.findings, findings, previous ? previousRef?.runId : undefined);
  // Both halves already carry their policy (see above): the report is built without a second pass.
  const report: Report = buildReport(
    findings,
    runMetadata(
      ["control-plane", "sweep"],
      {
        azureCalls: parts.reduce((n, p) => n + (p.azureCalls ?? 0), 0),
        runId,
        scope: manifest.scope,
        startedAt: manifest.startedAt,
        drift,
        inventory: manifest.inventory,
        skipped: manifest.skipped,
        ...(manifest.inventory.notices?.length ? { notices: manifest.inventory.notices } : {}),
        rotations: parts.flatMap((p) => p.rotations ?? []),
        secretHolders: parts.reduce((n, p) => n + (p.secretHolders ?? 0), 0),
      },
      rt.now(),
    ),
  );
  const at = new Date(manifest.startedAt);
  const where = { json: paths.audit(runId, at, "json"), markdown: paths.audit(runId, at, "md") };
  const json = rt.mask.mask(JSON.stringify(withoutInternals(report), null, 2));
  const markdown = rt.mask.mask(renderAudit(report, drift));
  const written = await rt.store.putOnce(where.json, json, "application/json");
  if (!written) {
    log.info(`run ${runId}: the audit report was already written; not posting it again`);
    return { report, written, json, markdown, paths: where };
  }
  await rt.store.putOnce(where.markdown, markdown, "text/markdown; charset=utf-8");
  await rt.store.update<AuditPointer>(paths.latest, (cur) => {
    const scopes = { ...(cur?.scopes ?? {}) };
    const existing = scopes[manifest.scope];
    // Never move the pointer back to an older run (reports can complete out of order).
    if (!existing || existing.generatedAt <= report.metadata.generatedAt) {
      scopes[manifest.scope] = {
        runId,
        generatedAt: report.metadata.generatedAt,
        json: where.json,
        markdown: where.markdown,
        verdict: report.verdict,
      };
    }
    return { scopes };
  });
  log.info(
    `run ${runId}: report ${where.json} (${report.verdict}: ${report.summary.errors} error(s), ${report.summary.warnings} warning(s); drift +${drift.new.length} -${drift.fixed.length})`,
  );
  await post(rt, manifest.scope, markdown);
  return { report, written, json, markdown, paths: where };
}

async function post(rt: SweepRuntime, scope: string, markdown: string): Promise<void> {
  const { github, webhook } = rt.config;
  if (github) {
    try {
      const token = await rt.readSecret(github.token);
      rt.mask.add(token);
      const issue = await upsertIssue(
        { apiUrl: github.apiUrl, repository: github.repository, labels: github.labels, token },
        scope,
        markdown,
        rt.mask,
      );
      log.info(`GitHub issue #${issue.number} ${issue.created ? "created" : "updated"} in ${github.repository}`);
    } catch (err) {
      log.warning(`could not post the report to GitHub: ${rt.mask.describe(err)}`);
    }
  }
  if (webhook) {
    try {
      const url = await rt.readSecret(webhook.url);
      rt.mask.add(url);
      await postWebhook(url, markdown, rt.mask);
      log.info("report posted to the webhook");
    } catch (err) {
      log.warning(`could not post the report to the webhook: ${rt.mask.describe(err)}`);
    }
  }
}
