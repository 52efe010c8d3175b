/**
 * One rotation pass over a scope: list the apps and service principals with client secrets (Graph),
 * rotate the opted-in apps one at a time under a per-app lock, then raise AG401–AG403 over what is
 * left. Host-neutral: the Function (and tests) supply the clients, the lock and the clock.
 */
import type { GraphClient, GraphPasswordCredential, GraphSecretHolder } from "../azure/graph.js";
import { isNotFound } from "../azure/fetch-failure.js";
import { raise } from "../findings/raise.js";
import type { Finding } from "../findings/model.js";
import type { SecretMask } from "./mask.js";
import { isOptedIn, mappingFor, type RotationPolicy } from "./rotation-policy.js";
import type { CredentialVerifier, RotationLock, SecretStore } from "./ports.js";
import { appTarget, rotateApp, type RotationOutcome, type StepHook } from "./rotate.js";
import { scanSecrets } from "./scan.js";
import { GraphPasswordDirectory } from "./adapters.js";
import { log } from "../log.js";

export interface AppScope {
  /** Only these app ids (empty = every app the identity can read). */
  appIds: string[];
  /** Only apps carrying one of these Graph tags (empty = no tag filter). */
  tags: string[];
}

export interface RotationRunInput {
  graph: GraphClient;
  storeFor: (vault: string) => SecretStore;
  verifier: CredentialVerifier;
  lock: RotationLock;
  policy: RotationPolicy;
  mask: SecretMask;
  scope: AppScope;
  now: () => Date;
  /** false: scan only (the on-demand HTTP sweep). */
  rotate: boolean;
  sleep?: (ms: number) => Promise<void>;
  beforeStep?: StepHook;
  /** This gate deployment's name, in the managed marker (default "default"). */
  deployment?: string;
}

export interface RotationRunResult {
  findings: Finding[];
  rotations: RotationOutcome[];
  /** Apps and service principals with secrets that were considered. */
  inScope: number;
}

function inScope(holder: GraphSecretHolder, scope: AppScope): boolean {
  if (scope.appIds.length > 0 && !scope.appIds.some((a) => a.toLowerCase() === holder.appId.toLowerCase())) return false;
  if (scope.tags.length > 0 && !scope.tags.some((t) => (holder.tags ?? []).includes(t))) return false;
  return true;
}

export async function runRotation(input: RotationRunInput): Promise<RotationRunResult> {
  const apps = (await input.graph.applicationsWithSecrets()).filter((a) => inScope(a, input.scope));
  const sps = (await input.graph.servicePrincipalsWithSecrets()).filter(
    (s) => (s.passwordCredentials ?? []).length > 0 && inScope(s, input.scope),
  );
  const rotations: RotationOutcome[] = [];
  /** Object ids of the apps a rotation ran on: their passwords changed. */
  const rotated: string[] = [];
  const extra: Finding[] = [];

  if (input.rotate) {
    for (const app of apps.filter((a) => isOptedIn(input.policy, a))) {
      const mapping = mappingFor(input.policy, app.appId);
      if (!mapping) {
        extra.push(
          raise("AG405", {
            target: appTarget(app),
            evidence:
              "rotation is opted in for this app but it has no Key Vault mapping; nothing was changed and the existing credentials still work",
            fix: `Add a mapping: rotation.keyVault: [{ appId: ${app.appId}, vault: <vault>, secret: <secret-name> }]`,
          }),
        );
        continue;
      }
      const locked = await input.lock.withLock(`rotation-${app.appId.toLowerCase()}`, (lease) =>
        rotateApp(app, mapping, {
          deployment: input.deployment ?? "default",
          lockHeld: () => lease.held(),
          directory: new GraphPasswordDirectory(input.graph),
          store: input.storeFor(mapping.vault),
          verifier: input.verifier,
          mask: input.mask,
          policy: input.policy,
          now: input.now,
          ...(input.sleep ? { sleep: input.sleep } : {}),
          ...(input.beforeStep ? { beforeStep: input.beforeStep } : {}),
        }),
      );
      if (locked.ran) {
        rotations.push(locked.value);
        rotated.push(app.id);
      } else log.info(`rotation ${app.appId}: another run holds the lock; skipped this time`);
    }
  }

  // Scan what is left after rotating: re-read only the rotated apps' secrets (one GET each), not the tenant.
  // An app deleted since the listing is gone from the scan, as a fresh tenant listing would have it.
  const reread = new Map<string, GraphPasswordCredential[] | "gone">();
  for (const id of rotated) {
    try {
      reread.set(id, await input.graph.applicationSecrets(id));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      reread.set(id, "gone");
    }
  }
  const fresh = apps.flatMap((a) => {
    const passwordCredentials = reread.get(a.id);
    if (passwordCredentials === "gone") return [];
    return passwordCredentials ? [{ ...a, passwordCredentials }] : [a];
  });
  const retiring = new Set(rotations.flatMap((r) => r.retiring));
  const findings = scanSecrets({
    holders: [
      ...fresh.map((a) => ({ ...a, kind: "application" as const })),
      ...sps.map((s) => ({ ...s, kind: "servicePrincipal" as const })),
    ],
    policy: input.policy,
    now: input.now(),
    retiring,
    unmanaged: new Set(rotations.flatMap((r) => r.unmanaged)),
  });
  return { findings: [...findings, ...extra, ...rotations.flatMap((r) => r.findings)], rotations, inScope: fresh.length + sps.length };
}
