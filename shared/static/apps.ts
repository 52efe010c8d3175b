/**
 * Which app a migration belongs to, and that app's identity. A Helm/Argo migrate hook has no owner
 * reference to its app, so it is matched by namespace, then shared image repository, then release
 * labels (app.kubernetes.io/instance…), else the first app with working Workload Identity.
 */
import { effectiveClientId, sameClientId, workloadIdentity } from "./token-injection.js";
import type { WorkloadView } from "./workloads.js";

export interface AppIdentity {
  app: WorkloadView;
  serviceAccount: string;
  clientId?: string;
}

/** The app's identity: its first non-migration container that certainly has working Workload Identity. */
export function appIdentity(w: WorkloadView): AppIdentity | undefined {
  if (!w.isApp) return undefined;
  const c = w.containers.find((x) => !x.init && !x.isMigration && workloadIdentity(w, x) === "yes");
  if (!c) return undefined;
  const clientId = effectiveClientId(w, c).value;
  return { app: w, serviceAccount: w.serviceAccountName, ...(clientId ? { clientId } : {}) };
}

/**
 * True when migration `m` must run as the app's ServiceAccount: it runs as another one, and that one
 * does not carry the app's client id either (a second ServiceAccount for the same identity is fine).
 */
export function needsAppServiceAccount(m: WorkloadView, a: AppIdentity): boolean {
  const saCarriesAppId =
    m.serviceAccount?.clientId !== undefined && a.clientId !== undefined && sameClientId(m.serviceAccount.clientId, a.clientId);
  return m.serviceAccountName !== a.serviceAccount && !saCarriesAppId;
}

function repository(image: string): string {
  const noDigest = image.split("@")[0] ?? image;
  const slash = noDigest.lastIndexOf("/");
  const colon = noDigest.lastIndexOf(":");
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

const RELEASE_LABELS = ["app.kubernetes.io/instance", "app.kubernetes.io/part-of", "release", "app.kubernetes.io/name", "app"];

/** Which app a migration belongs to: itself, else the one sharing its image, else its release labels, else the first. */
export function appFor(m: WorkloadView, apps: AppIdentity[]): AppIdentity | undefined {
  const self = apps.find((a) => a.app === m);
  if (self) return self;
  const repos = new Set(m.images.map(repository));
  const byImage = apps.find((a) => a.app.images.some((i) => repos.has(repository(i))));
  if (byImage) return byImage;
  const labels = { ...m.ownerLabels, ...m.podLabels };
  for (const key of RELEASE_LABELS) {
    const v = labels[key];
    const match = v === undefined ? undefined : apps.find((a) => a.app.podLabels[key] === v || a.app.ownerLabels[key] === v);
    if (match) return match;
  }
  return apps[0];
}

/** The app a migration workload migrates, among the apps in its namespace with working Workload Identity. */
export function migratedApp(m: WorkloadView, workloads: readonly WorkloadView[]): AppIdentity | undefined {
  const apps = workloads
    .filter((w) => w.namespace === m.namespace)
    .map(appIdentity)
    .filter((a): a is AppIdentity => a !== undefined);
  return appFor(m, apps);
}
