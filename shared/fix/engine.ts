/**
 * `fix`: check → plan → splice → check again, until no plan changes anything. Some fixes only become
 * possible after others (AG103's CRDs go once their pods are migrated), and a fix that would touch
 * text another fix already changed in this pass waits for the next pass, re-planned on the new text.
 * The last pass is a plain check of the result: what it still finds is reported as a TODO with the
 * planner's reason, so running `fix` again changes nothing and `check` sees exactly those findings.
 */
import type { Finding } from "../findings/model.js";
import { targetKey } from "../findings/model.js";
import { parseManifests, type ManifestSource } from "../static/parse.js";
import { checkManifests } from "../static/rules/index.js";
import { buildModel } from "../static/workloads.js";
import { intentKey, mergeIntents, renderIntent, type Intent } from "./intents.js";
import { parseFile, type ParsedFile } from "./locate.js";
import type { FixConfig, Plan, PlanContext } from "./plan-context.js";
import { planAll } from "./plan.js";
import { applySplices, overlaps, type Splice } from "./splices.js";

/** Each pass fixes what it can; real manifests settle in two or three. */
const MAX_PASSES = 8;

export interface FileChange {
  file: string;
  before: string;
  after: string;
}

export interface Remaining {
  finding: Finding;
  /** Why `fix` did not change it. */
  reason: string;
  /** What the user should do instead (literal secrets: rotate, Key Vault). */
  guidance?: string;
}

export interface FixOutcome {
  /** Files whose text changed. */
  changes: FileChange[];
  /** Findings of the first check that the final check no longer reports. */
  fixed: Finding[];
  /** What the final check still reports. */
  remaining: Remaining[];
  /** Steps outside the manifests the edits rely on (federated credentials for migrated pods…). */
  followUps: string[];
}

interface Accepted {
  splices: Map<string, Splice[]>;
  plans: Array<{ finding: Finding; plan: Extract<Plan, { intents: Intent[] }> }>;
  /** Plans that failed to render: their reason replaces the planner's. */
  failed: Map<Finding, string>;
}

/** Renders plans all-or-nothing; a plan overlapping an already accepted one waits for the next pass. */
function choose(plans: Map<Finding, Plan>, files: ReadonlyMap<string, ParsedFile>): Accepted {
  const out: Accepted = { splices: new Map(), plans: [], failed: new Map() };
  const done = new Set<string>();
  for (const [finding, plan] of plans) {
    if ("todo" in plan) continue;
    const fresh: Array<{ file: string; splices: Splice[] }> = [];
    let failure: string | undefined;
    for (const intent of mergeIntents(plan.intents)) {
      if (done.has(intentKey(intent))) continue;
      const f = files.get(intent.file);
      const r = f ? renderIntent(f, intent) : { ok: false as const, reason: "the file is not part of the input" };
      if (!r.ok) {
        failure = r.reason;
        break;
      }
      fresh.push({ file: intent.file, splices: r.splices });
    }
    if (failure !== undefined) {
      out.failed.set(finding, `cannot edit it safely: ${failure}`);
      continue;
    }
    const clash = fresh.some(({ file, splices }) => splices.some((s) => (out.splices.get(file) ?? []).some((a) => overlaps(a, s))));
    const selfClash = fresh.some((a, i) =>
      fresh.some((b, j) => j > i && a.file === b.file && a.splices.some((x) => b.splices.some((y) => overlaps(x, y)))),
    );
    if (clash || selfClash) continue;
    for (const { file, splices } of fresh) out.splices.set(file, [...(out.splices.get(file) ?? []), ...splices]);
    for (const intent of plan.intents) done.add(intentKey(intent));
    out.plans.push({ finding, plan });
  }
  return out;
}

function findingKey(f: Finding): string {
  return `${f.id}|${targetKey(f.target)}|${f.location?.file ?? ""}`;
}

/** Findings of `before` that `after` no longer has (counted, so two identical findings need two fixes). */
function gone(before: readonly Finding[], after: readonly Finding[]): Finding[] {
  const left = new Map<string, number>();
  for (const f of after) left.set(findingKey(f), (left.get(findingKey(f)) ?? 0) + 1);
  return before.filter((f) => {
    const n = left.get(findingKey(f)) ?? 0;
    if (n > 0) left.set(findingKey(f), n - 1);
    return n === 0;
  });
}

/** Runs the fix over the sources; pure (the caller writes files or prints the diff). */
export function planFixes(sources: readonly ManifestSource[], config: FixConfig = { targets: [] }): FixOutcome {
  const texts = new Map(sources.map((s) => [s.file, s.text]));
  const memory = new Set<string>();
  const followUps: string[] = [];
  const seen = new Set<string>();
  let first: Finding[] | undefined;
  for (let pass = 1; ; pass++) {
    const current = sources.map((s) => ({ file: s.file, text: texts.get(s.file) ?? s.text }));
    const set = parseManifests(current);
    const model = buildModel(set);
    const findings = checkManifests(set, model);
    first ??= findings;
    const files = new Map(current.map((s) => [s.file, parseFile(s.file, s.text)]));
    const ctx: PlanContext = { set, model, files, config, memory };
    const plans = planAll(ctx, findings);
    const accepted = choose(plans, files);
    let changed = false;
    const broken = new Set<string>();
    if (pass <= MAX_PASSES) {
      for (const [file, splices] of accepted.splices) {
        const before = texts.get(file) ?? "";
        const after = applySplices(before, splices);
        // A splice that breaks the YAML would be a planner bug: keep the file as it was, say so.
        if (after !== before && !parsesAlone(file, after)) broken.add(file);
        if (after === before || broken.has(file)) continue;
        texts.set(file, after);
        changed = true;
      }
    }
    for (const { finding, plan } of accepted.plans) {
      if (plan.intents.some((i) => broken.has(i.file)))
        accepted.failed.set(finding, "cannot edit it safely: the edit would leave the file unreadable");
    }
    accepted.plans = accepted.plans.filter((p) => !accepted.failed.has(p.finding));
    const state = [...texts.values()].join("\u0000");
    if (!changed || seen.has(state)) {
      return {
        changes: sources
          .map((s) => ({ file: s.file, before: s.text, after: texts.get(s.file) ?? s.text }))
          .filter((c) => c.before !== c.after),
        fixed: gone(first, findings),
        remaining: findings.map((f) => remainingOf(f, plans.get(f), accepted.failed.get(f))),
        followUps,
      };
    }
    seen.add(state);
    for (const { plan } of accepted.plans) {
      for (const m of plan.remember ?? []) memory.add(m);
      for (const u of plan.followUps ?? []) if (!followUps.includes(u)) followUps.push(u);
    }
  }
}

function parsesAlone(file: string, text: string): boolean {
  try {
    parseManifests([{ file, text }]);
    return true;
  } catch {
    return false;
  }
}

function remainingOf(finding: Finding, plan: Plan | undefined, failure: string | undefined): Remaining {
  if (failure !== undefined) return { finding, reason: failure };
  if (!plan) return { finding, reason: "no mechanical fix" };
  if ("todo" in plan) return { finding, reason: plan.todo, ...(plan.guidance ? { guidance: plan.guidance } : {}) };
  return { finding, reason: "its edit overlaps another fix's edit and could not be applied: run fix again after editing by hand" };
}
