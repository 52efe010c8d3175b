/**
 * The crash-safe rotation of one app's client secret into Key Vault.
 *
 * Invariant at every instant: the app has at least one credential that works, and Key Vault's current
 * version works or the old credential still does. The protocol keeps no state of its own: every run
 * re-reads Graph (the app's passwords) and Key Vault (the mapped secret's versions and their tags) and
 * takes the next step from there, so a run that crashed at ANY point is finished by the next one.
 *
 *   (1) add      addPassword, displayName marks it managed, endDateTime per policy
 *   (2) store    a new Key Vault version: value, contentType, expiresOn, tags appId/keyId/rotatedBy/rotatedAt
 *   (3) verify   a client-credentials token with the new secret (retried through propagation), then tag verifiedAt
 *   (4) retire   after the overlap window (checked on a later run), removePassword for each superseded secret
 *
 * Reconciliation before any step: a managed password whose keyId no vault version names is an orphan
 * (its value never reached the vault, so nobody can use it) and is removed first; a new secret is only
 * added when the vault does not already hold a working, current managed one — never a second new one.
 */
import { raise } from "../findings/raise.js";
import type { Finding, Target } from "../findings/model.js";
import type { SecretMask } from "./mask.js";
import { belongsTo, CONTENT_TYPE, dateTag, isManaged, managedDisplayName, ROTATED_BY, TAG } from "./marks.js";
import { daysToMs, type KeyVaultMapping, type RotationPolicy } from "./rotation-policy.js";
import type { CredentialVerifier, PasswordDirectory, PasswordInfo, SecretStore, VaultCurrent } from "./ports.js";
import { sh } from "../shell.js";
import { log } from "../log.js";

export type RotationStep = "read" | "recover" | "remove-orphan" | "add" | "store" | "verify" | "mark-verified" | "retire";

/** Where a test (or a chaos drill) can stop the protocol: thrown before the named step runs. */
export type StepHook = (step: RotationStep, appId: string) => void | Promise<void>;

export interface RotationApp {
  /** Graph object id of the application. */
  id: string;
  appId: string;
  displayName: string;
}

export interface RotationDeps {
  directory: PasswordDirectory;
  store: SecretStore;
  verifier: CredentialVerifier;
  mask: SecretMask;
  policy: RotationPolicy;
  now: () => Date;
  sleep?: (ms: number) => Promise<void>;
  beforeStep?: StepHook;
  /** The gate deployment doing this: named in the managed marker; only its own managed secrets are touched. */
  deployment: string;
  /** False once the run's lock may be lost (the lease renewal failed): no further write. */
  lockHeld?: () => boolean;
}

export type RotationState = "up-to-date" | "rotated" | "awaiting-overlap" | "retired-old" | "failed";

export interface RotationOutcome {
  appId: string;
  vault: string;
  secret: string;
  state: RotationState;
  /** keyId the vault's current version holds (when known). */
  currentKeyId?: string;
  /** Superseded secrets kept until the overlap ends (AG402/AG403 are not raised for them). */
  retiring: string[];
  /** Secrets the gate does not manage (hand-made, other consumers'): never retired, reported. */
  unmanaged: string[];
  /** What was done, one line per action, masked. */
  actions: string[];
  findings: Finding[];
}

/** The lock's lease may be lost: thrown instead of running a write step. */
class LockLost extends Error {
  constructor(
    readonly step: RotationStep,
    readonly left: string,
  ) {
    super(`lock lost before ${step}`);
  }
}

class StepFailure extends Error {
  constructor(
    readonly step: RotationStep,
    readonly left: string,
    readonly detail: string,
  ) {
    super(`${step}: ${detail}`);
  }
}

export function appTarget(app: { appId: string; displayName: string }): Target {
  return { kind: "application", name: `${app.displayName} (${app.appId})` };
}

function isDue(p: PasswordInfo, policy: RotationPolicy, now: Date): boolean {
  if (p.end && p.end.getTime() - now.getTime() <= daysToMs(policy.expiryWindowDays)) return true;
  if (policy.maxAgeDays > 0 && p.start && now.getTime() - p.start.getTime() >= daysToMs(policy.maxAgeDays)) return true;
  return false;
}

function expired(p: PasswordInfo, now: Date): boolean {
  return p.end !== undefined && p.end.getTime() <= now.getTime();
}

export async function rotateApp(app: RotationApp, mapping: KeyVaultMapping, deps: RotationDeps): Promise<RotationOutcome> {
  const { directory, store, mask, policy } = deps;
  const outcome: RotationOutcome = {
    appId: app.appId,
    vault: store.vault,
    secret: mapping.secret,
    state: "up-to-date",
    retiring: [],
    unmanaged: [],
    actions: [],
    findings: [],
  };
  const note = (line: string) => {
    const masked = mask.mask(line);
    outcome.actions.push(masked);
    log.info(`rotation ${app.appId}: ${masked}`);
  };
  const step = async <T>(name: RotationStep, left: string, work: () => Promise<T>): Promise<T> => {
    if (name !== "read" && deps.lockHeld && !deps.lockHeld()) throw new LockLost(name, left);
    try {
      await deps.beforeStep?.(name, app.appId);
      return await work();
    } catch (err) {
      throw new StepFailure(name, left, mask.describe(err));
    }
  };
  const where = `Key Vault '${store.vault}', secret '${mapping.secret}'`;

  try {
    // Read the whole state first: Graph's passwords, the vault's versions and its current value.
    const { passwords, versions, current } = await step("read", "nothing was changed; the existing credentials still work", async () => {
      const passwords = await directory.list(app.id);
      const versions = await store.versions(mapping.secret);
      const current = await store.current(mapping.secret);
      mask.add(current?.value);
      return { passwords, versions, current };
    });
    if (versions.length === 0 && !current) {
      const recovered = await step("recover", "nothing was changed; the existing credentials still work", () =>
        store.recoverIfDeleted(mapping.secret),
      );
      if (recovered) {
        note(`recovered the soft-deleted secret '${mapping.secret}' (its name cannot be reused while deleted)`);
        const resumed = await rotateApp(app, mapping, deps);
        return { ...resumed, actions: [...outcome.actions, ...resumed.actions] };
      }
    }

    const mine = versions.filter((v) => belongsTo(v, app.appId));
    const stored = new Set(mine.map((v) => (v.tags[TAG.keyId] ?? "").toLowerCase()));
    // The password the mapping pointed at before the first rotation: recorded on the version that replaced it.
    const replacedKeyIds = new Set(mine.map((v) => (v.tags[TAG.replaces] ?? "").toLowerCase()).filter(Boolean));
    const ours: VaultCurrent | undefined = current && belongsTo(current, app.appId) ? current : undefined;
    const vaultBefore = current;
    const currentKeyId = ours?.tags[TAG.keyId]?.toLowerCase();
    const currentPassword = currentKeyId ? passwords.find((p) => p.keyId.toLowerCase() === currentKeyId) : undefined;
    if (currentPassword) outcome.currentKeyId = currentPassword.keyId;

    // Orphans: managed passwords whose value never reached the vault. Nobody can use them.
    const orphans = passwords.filter((p) => isManaged(p, deps.deployment) && !stored.has(p.keyId.toLowerCase()));
    for (const orphan of orphans) {
      await step(
        "remove-orphan",
        `the old credentials still work; the unused managed secret ${orphan.keyId} remains until the next run`,
        () => directory.remove(app.id, orphan.keyId),
      );
      note(`removed orphan managed secret ${orphan.keyId} (its value never reached Key Vault)`);
    }
    const live = passwords.filter((p) => !orphans.includes(p));

    let working =
      currentPassword && ours && !expired(currentPassword, deps.now()) ? { password: currentPassword, version: ours } : undefined;

    if (working && !dateTag(working.version, TAG.verifiedAt)) {
      // A crash between (2) and (3), or a verify that ran out of attempts: finish the verification.
      await verifyAndMark(app, mapping, working.version, working.password.keyId, deps, step, where);
      note(`verified Key Vault version ${working.version.version} (keyId ${working.password.keyId})`);
      outcome.state = "rotated";
      outcome.findings.push(rotatedFinding(app, mapping, store.vault, working.version.version, working.password.keyId));
    }

    const now = deps.now();
    if (!working || isDue(working.password, policy, now)) {
      const reason = !working
        ? ours
          ? "the vault's current version names a secret that no longer works"
          : "the vault holds no managed secret for this app yet"
        : "the current secret is due (expiry window or maximum age)";
      // A value the user put in the vault before opting in: the one password whose Graph hint it starts with is the one replaced.
      const pointedAt = vaultBefore && !ours ? live.filter((p) => p.hint && vaultBefore.value.startsWith(p.hint)) : [];
      const replaces = pointedAt.length === 1 ? pointedAt[0]!.keyId : undefined;
      const created = await step("add", "nothing was changed; the existing credentials still work", async () => {
        const end = new Date(now.getTime() + daysToMs(policy.validityDays));
        const made = await directory.add(app.id, { displayName: managedDisplayName(deps.deployment, now), endDateTime: end.toISOString() });
        mask.add(made.secretText);
        return made;
      });
      note(`added managed secret ${created.keyId} (${reason})`);
      const version = await step(
        "store",
        `the new secret ${created.keyId} exists in Entra but its value did not reach Key Vault (the next run removes it); the old credentials still work`,
        () =>
          store.store(mapping.secret, created.secretText, {
            contentType: CONTENT_TYPE,
            expiresOn: created.end ?? new Date(now.getTime() + daysToMs(policy.validityDays)),
            tags: {
              [TAG.appId]: app.appId,
              [TAG.keyId]: created.keyId,
              [TAG.rotatedBy]: ROTATED_BY,
              [TAG.rotatedAt]: now.toISOString(),
              ...(replaces ? { [TAG.replaces]: replaces } : {}),
            },
          }),
      );
      note(`stored keyId ${created.keyId} as Key Vault version ${version.version}`);
      const current: VaultCurrent = { ...version, value: created.secretText };
      await verifyAndMark(app, mapping, current, created.keyId, deps, step, where);
      note(`verified Key Vault version ${version.version} (keyId ${created.keyId})`);
      working = { password: created, version: { ...current, tags: { ...current.tags, [TAG.verifiedAt]: deps.now().toISOString() } } };
      outcome.currentKeyId = created.keyId;
      outcome.state = "rotated";
      outcome.findings.push(rotatedFinding(app, mapping, store.vault, version.version, created.keyId));
      live.push(created);
      if (replaces) replacedKeyIds.add(replaces.toLowerCase());
    }

    // (4) Retire what the current secret superseded, once the overlap window has passed since its verification.
    const verifiedAt = dateTag(working.version, TAG.verifiedAt) ?? deps.now();
    // Only what this deployment manages is retired: a secret its vault versions named (the one it replaced) or one
    // it made (its marker). Everything else — a hand-made secret, another consumer's — stays and is reported.
    // Never judged by startDateTime: a user can set that to anything.
    const replaced = (p: PasswordInfo) =>
      stored.has(p.keyId.toLowerCase()) || replacedKeyIds.has(p.keyId.toLowerCase()) || isManaged(p, deps.deployment);
    const others = live.filter((p) => p.keyId !== working.password.keyId && !replaced(p));
    const superseded = live.filter((p) => p.keyId !== working.password.keyId && replaced(p));
    if (others.length > 0) {
      outcome.unmanaged = others.map((p) => p.keyId);
      outcome.findings.push(unmanagedFinding(app, others, deps.now()));
    }
    const overlapEnds = new Date(verifiedAt.getTime() + policy.overlapHours * 3_600_000);
    if (superseded.length > 0 && deps.now().getTime() >= overlapEnds.getTime()) {
      for (const old of superseded) {
        await step("retire", `both credentials still work; the old secret ${old.keyId} is removed on the next run`, () =>
          directory.remove(app.id, old.keyId),
        );
        note(`removed superseded secret ${old.keyId} after the ${policy.overlapHours} h overlap`);
      }
      if (outcome.state === "up-to-date") outcome.state = "retired-old";
    } else if (superseded.length > 0) {
      outcome.retiring = superseded.map((p) => p.keyId);
      if (outcome.state === "up-to-date") outcome.state = "awaiting-overlap";
      note(`keeping ${superseded.length} superseded secret(s) until ${overlapEnds.toISOString()} (overlap)`);
    }
    return outcome;
  } catch (err) {
    if (err instanceof LockLost) {
      outcome.state = "failed";
      note(`stopped before step '${err.step}': the rotation lock's lease could not be renewed`);
      outcome.findings.push(
        raise("AG407", {
          target: appTarget(app),
          evidence: `rotation into ${where} stopped before step '${err.step}': the lease on its lock could not be renewed, so another run may be rotating this app. State left: ${err.left}.`,
          fix: "Nothing to undo: the next run resumes from Graph and Key Vault. If it recurs, check the Function's access to its own storage account (Blob leases) and that one rotation finishes well within a minute between renewals.",
        }),
      );
      return outcome;
    }
    if (!(err instanceof StepFailure)) throw err;
    outcome.state = "failed";
    note(`step '${err.step}' failed: ${err.detail}`);
    outcome.findings.push(
      raise("AG405", {
        target: appTarget(app),
        evidence: mask.mask(`rotation into ${where} failed at step '${err.step}': ${err.detail}. State left: ${err.left}.`),
        fix: `Nothing to undo: the next run resumes from Graph and Key Vault. If it keeps failing, check the Function identity's Application.ReadWrite.OwnedBy ownership of app ${app.appId} and its Key Vault Secrets Officer role on '${store.vault}'.`,
      }),
    );
    return outcome;
  }
}

async function verifyAndMark(
  app: RotationApp,
  mapping: KeyVaultMapping,
  version: VaultCurrent,
  keyId: string,
  deps: RotationDeps,
  step: <T>(name: RotationStep, left: string, work: () => Promise<T>) => Promise<T>,
  where: string,
): Promise<void> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  await step(
    "verify",
    `${where} version ${version.version} holds the new secret ${keyId}, not yet accepted by Entra ID; the old credentials are kept and still work`,
    async () => {
      let last = "";
      for (let attempt = 1; attempt <= deps.policy.verifyAttempts; attempt++) {
        const result = await deps.verifier.verify(app.appId, version.value);
        if (result.ok) return;
        last = `${result.code ? `${result.code}: ` : ""}${result.message}`;
        if (attempt < deps.policy.verifyAttempts) await sleep(deps.policy.verifyDelaySeconds * 1000);
      }
      throw new Error(`no token with the new secret after ${deps.policy.verifyAttempts} attempt(s) (${last})`);
    },
  );
  await step(
    "mark-verified",
    `both the new secret ${keyId} (verified) and the old credentials work; the verification is recorded on the next run`,
    () => deps.store.tag(mapping.secret, version.version, { ...version.tags, [TAG.verifiedAt]: deps.now().toISOString() }),
  );
}

function unmanagedFinding(app: RotationApp, others: readonly PasswordInfo[], now: Date): Finding {
  const describe = (p: PasswordInfo) =>
    `${p.keyId}${p.displayName ? ` ('${p.displayName}')` : ""}${p.end ? `, expires ${p.end.toISOString().slice(0, 10)}` : ", no expiry"}${p.start ? `, ${Math.floor((now.getTime() - p.start.getTime()) / 86_400_000)} day(s) old` : ""}`;
  return raise("AG401", {
    target: appTarget(app),
    evidence: `rotation keeps ${others.length} client secret(s) it does not manage (not the one its Key Vault mapping held, not made by it): ${others.map(describe).join("; ")}`,
    fix: `Move their consumers to the Key Vault secret (or a federated credential), then remove each: ${others.map((p) => `az ad app credential delete --id ${sh(app.appId)} --key-id ${sh(p.keyId)}`).join("; ")}`,
  });
}

function rotatedFinding(app: RotationApp, mapping: KeyVaultMapping, vault: string, version: string, keyId: string): Finding {
  return raise("AG404", {
    target: appTarget(app),
    evidence: `new client secret keyId ${keyId} stored in Key Vault '${vault}' as secret '${mapping.secret}' version ${version}; a token was obtained with it`,
    fix: "Nothing to do: consumers read the secret from Key Vault; the old secret is removed after the overlap window.",
  });
}
