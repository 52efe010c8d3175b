/**
 * Resolves the config's targets against the workloads the manifests describe: who the pod runs as
 * (ServiceAccount) and which identity it names (client id) are discovered, not asked for. Config
 * overrides win; a target that cannot be resolved is an InputError naming `targets[i].…`.
 */
import type { GateConfig } from "../config/schema.js";
import { InputError } from "../errors.js";
import type { SourceLocation } from "../findings/model.js";
import type { ResolvedTarget, WorkloadScheduling } from "../azure/facts/types.js";

/** What the gate needs to know about one pod template (adapted from the static layer's WorkloadView). */
export interface WorkloadIdentityView {
  namespace: string;
  kind: string;
  name: string;
  serviceAccountName: string;
  /** The ServiceAccount's `azure.workload.identity/client-id` annotation, when the manifests define it. */
  clientId?: string;
  /** Long-running app workloads (Deployment, StatefulSet, DaemonSet…), as opposed to Jobs / CronJobs. */
  isApp: boolean;
  /** Where the client id (or else the workload) is declared. */
  location?: SourceLocation;
  /** The main container's image (the container that runs the app / `migrate`). */
  image?: string;
  /** The pod template's labels. */
  podLabels?: Record<string, string>;
  /** The pod template's imagePullSecrets names. */
  imagePullSecrets?: string[];
  /** The pod spec's nodeSelector / tolerations / affinity, when it sets any. */
  scheduling?: WorkloadScheduling;
}

/** What the live probe needs from the workload: its image, pod labels, pull secrets and scheduling. */
function probeFacts(w: WorkloadIdentityView | undefined): Pick<ResolvedTarget, "image" | "podLabels" | "imagePullSecrets" | "scheduling"> {
  if (!w) return {};
  return {
    ...(w.image ? { image: w.image } : {}),
    ...(w.podLabels ? { podLabels: w.podLabels } : {}),
    ...(w.imagePullSecrets?.length ? { imagePullSecrets: w.imagePullSecrets } : {}),
    ...(w.scheduling ? { scheduling: w.scheduling } : {}),
  };
}

function label(w: { namespace: string; kind: string; name: string }): string {
  return `${w.namespace}/${w.kind}/${w.name}`;
}

export function resolveTargets(config: GateConfig, workloads: readonly WorkloadIdentityView[], file?: string): ResolvedTarget[] {
  const where = (field: string) => ({ ...(file ? { file } : {}), field });
  const apps = workloads.filter((w) => w.isApp);
  if (config.targets.length === 0) {
    const federated = apps.filter((w) => w.clientId);
    if (federated.length === 0) {
      throw new InputError(
        workloads.length === 0
          ? "no targets: list them under `targets` (no manifests were given to discover them from)"
          : "no targets: no app workload in the manifests uses Workload Identity; list them under `targets`",
        where("targets"),
      );
    }
    return federated.map((w) => ({
      namespace: w.namespace,
      kind: w.kind,
      name: w.name,
      serviceAccount: w.serviceAccountName,
      ...(w.clientId ? { clientId: w.clientId } : {}),
      blob: [],
      keyVault: [],
      ...(w.location ? { location: w.location } : {}),
      ...probeFacts(w),
    }));
  }
  return config.targets.map((t, i) => {
    let view: WorkloadIdentityView | undefined;
    let ref: { namespace: string; kind: string; name: string };
    if (t.workload) {
      const [namespace = "", kind = "", name = ""] = t.workload.split("/");
      ref = { namespace, kind, name };
      view = workloads.find((w) => w.namespace === namespace && w.kind.toLowerCase() === kind.toLowerCase() && w.name === name);
      if (!view && workloads.length > 0 && !(t.serviceAccount && t.clientId)) {
        throw new InputError(
          `workload '${t.workload}' is not in the manifests (they have: ${workloads.map(label).join(", ") || "none"})`,
          where(`targets[${i}].workload`),
        );
      }
    } else {
      if (apps.length !== 1) {
        throw new InputError(
          apps.length === 0
            ? "set `workload` (namespace/kind/name): the manifests have no app workload to default to"
            : `set \`workload\`: the manifests have ${apps.length} app workloads (${apps.map(label).join(", ")})`,
          where(`targets[${i}].workload`),
        );
      }
      view = apps[0];
      ref = { namespace: view!.namespace, kind: view!.kind, name: view!.name };
    }
    const serviceAccount = t.serviceAccount ?? view?.serviceAccountName;
    if (!serviceAccount)
      throw new InputError("set `serviceAccount`: without manifests the gate cannot discover it", where(`targets[${i}].serviceAccount`));
    // The view's client id belongs to the view's ServiceAccount; an overridden ServiceAccount needs its own.
    const clientId = t.clientId ?? (view && view.serviceAccountName === serviceAccount ? view.clientId : undefined);
    return {
      ...ref,
      serviceAccount,
      ...(clientId ? { clientId } : {}),
      blob: t.blob,
      keyVault: t.keyVault,
      ...(view?.location ? { location: view.location } : {}),
      ...probeFacts(view),
    };
  });
}
