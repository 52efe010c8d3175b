/**
 * The sandbox's kubelet: "runs" a pod's containers as local child processes.
 *
 * Images: whoever starts the sandbox declares which local program stands in for which image
 * (`images: {"ghcr.io/acme/django-app:1.4": {command: ["python3", "test/sandbox/pods/django_app.py"]}}`).
 * An image has an ENTRYPOINT and a CMD, and the container's `command` and `args` combine with them as
 * Kubernetes does: `command` replaces the ENTRYPOINT (and drops the CMD), `args` replace the CMD; with
 * neither the image runs ENTRYPOINT + CMD. The program is looked up on the container's PATH (the
 * image's ENV PATH, else the sandbox's), as a container runtime looks it up in the image's filesystem.
 * An unknown image behaves like a failed pull: the container waits in
 * ErrImagePull / ImagePullBackOff with kubelet's events, and the pod never starts.
 *
 * Environment of a container process, lowest precedence first:
 *   - the sandbox's child environment: PATH without az/azd/pwsh (DefaultAzureCredential must not fall
 *     through to a developer's tools), HOME in the pod's own directory, the sandbox CA
 *     (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, SSL_CERT_FILE), AZURE_POD_IDENTITY_AUTHORITY_HOST and
 *     IMDS_ENDPOINT at the sandbox IMDS (so no SDK ever sends a packet to 169.254.169.254), and
 *     HTTPS_PROXY at the cluster's egress proxy (network.ts) with NO_PROXY empty, so every request
 *     leaves from the cluster's source address and reaches the firewalls as the cluster's traffic;
 *   - `env` from the runner options (e.g. a cloud-profile path), then the image's own ENV;
 *   - the container's `envFrom` and `env` (literal values, `$(VAR)` expansion, secretKeyRef,
 *     configMapKeyRef and fieldRef resolved from the cluster's objects) — including whatever the
 *     Workload Identity webhook injected (kubernetes.ts mutates the pod spec at admission).
 * Volumes: projected service-account tokens (minted by the cluster's issuer key), secrets and config
 * maps are written under the pod's directory; env values and arguments that point into a mount path
 * are rewritten to that directory (the process sees the same files at a different root).
 * stdout and stderr, interleaved, are the container's log.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ServiceContext } from "./contract.js";
import { clusterSourceAddress, startEgressProxy, type EgressProxy } from "./network.js";
import type { ClusterState, K8sObject } from "./state.js";

export interface ImageSpec {
  /** The image's ENTRYPOINT (default none). A container `command` replaces it. */
  entrypoint?: string[];
  /** The image's CMD (default none). A container `command` or `args` replaces it. */
  cmd?: string[];
  /** The image's ENV. */
  env?: Record<string, string>;
  /** Working directory of the process (default: the sandbox's cwd, so repo-relative paths work). */
  workingDir?: string;
}

export interface ProjectedTokenRequest {
  namespace: string;
  serviceAccount: string;
  audience: string;
  expirationSeconds: number;
  podName: string;
  podUid: string;
}

/** Signs a service-account token with the cluster's issuer key (services/issuers.ts provides one). */
export type ServiceAccountTokenMinter = (cluster: ClusterState, request: ProjectedTokenRequest) => string;

export interface PodRunnerOptions {
  images: Record<string, ImageSpec>;
  /** The sandbox CA certificate (PEM file). */
  caCertPath: string;
  mintServiceAccountToken: ServiceAccountTokenMinter;
  /** Kill a container that runs longer than this (default 60 s); it then fails with exit code 137. */
  timeoutMs?: number;
  /** Added to every pod's environment (lowest precedence after the sandbox's own variables). */
  env?: Record<string, string>;
}

export interface KubeletEvent {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  /** Component that reports it (kubelet, default-scheduler). */
  source: string;
}

export interface PodHooks {
  event(e: KubeletEvent): void;
  /** restartPolicy OnFailure: how many in-place restarts the owner allows (a Job's backoffLimit). */
  restartLimit?: number;
  /** The pod object's status changed (bump its resourceVersion). */
  changed(): void;
}

export interface PodOutcome {
  phase: "Succeeded" | "Failed";
}

export interface PodRun {
  /** Resolves when every container has exited; never resolves for a pod stuck Pending. */
  done: Promise<PodOutcome>;
  /** The container's log so far (undefined when it never started). */
  log(container: string, previous?: boolean): string | undefined;
  /** Kills the processes (pod deleted). */
  stop(): Promise<void>;
}

export interface PodRunner {
  run(pod: K8sObject, cluster: ClusterState, hooks: PodHooks): PodRun;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Pod spec helpers (plain objects: the API server stores what clients send)
// ---------------------------------------------------------------------------------------------

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
  };
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { prefix?: string; secretRef?: { name: string; optional?: boolean }; configMapRef?: { name: string; optional?: boolean } }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}

interface Volume {
  name: string;
  projected?: {
    sources?: {
      serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
      secret?: { name: string; items?: { key: string; path: string }[] };
      configMap?: { name: string; items?: { key: string; path: string }[] };
    }[];
  };
  secret?: { secretName: string; items?: { key: string; path: string }[]; optional?: boolean };
  configMap?: { name: string; items?: { key: string; path: string }[]; optional?: boolean };
  emptyDir?: object;
}

export interface PodSpec {
  containers: Container[];
  volumes?: Volume[];
  serviceAccountName?: string;
  restartPolicy?: string;
  nodeName?: string;
}

export function podSpec(pod: K8sObject): PodSpec {
  return pod.spec as PodSpec;
}

function findObject(cluster: ClusterState, kind: string, namespace: string, name: string): K8sObject | undefined {
  return cluster.objects.find((o) => o.kind === kind && o.metadata.name === name && (o.metadata.namespace ?? "default") === namespace);
}

/** Decoded key/value data of a Secret (base64 `data` plus `stringData`) or ConfigMap. */
function dataOf(obj: K8sObject): Record<string, string> {
  const out: Record<string, string> = {};
  const data = (obj.data ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(data)) out[k] = obj.kind === "Secret" ? Buffer.from(v, "base64").toString() : v;
  for (const [k, v] of Object.entries((obj.stringData ?? {}) as Record<string, string>)) out[k] = v;
  return out;
}

/** Kubernetes' `$(VAR)` expansion: defined variables are replaced, `$$` escapes, unknown ones stay. */
export function expandVars(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) =>
    m === "$$" ? "$" : name !== undefined && name in vars ? vars[name]! : m,
  );
}

type Resolved = { ok: true; env: Record<string, string> } | { ok: false; message: string };

/** The container's own environment as the kubelet builds it, or the CreateContainerConfigError message. */
export function resolveContainerEnv(pod: K8sObject, container: Container, cluster: ClusterState): Resolved {
  const ns = pod.metadata.namespace ?? "default";
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    if (!ref) continue;
    const kind = from.secretRef ? "Secret" : "ConfigMap";
    const obj = findObject(cluster, kind, ns, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      return { ok: false, message: `${kind === "Secret" ? "secret" : "configmap"} "${ref.name}" not found` };
    }
    for (const [k, v] of Object.entries(dataOf(obj))) env[`${from.prefix ?? ""}${k}`] = v;
  }
  for (const v of container.env ?? []) {
    const from = v.valueFrom;
    if (!from) {
      env[v.name] = expandVars(v.value ?? "", env);
      continue;
    }
    const keyRef = from.secretKeyRef ?? from.configMapKeyRef;
    if (keyRef) {
      const kind = from.secretKeyRef ? "Secret" : "ConfigMap";
      const obj = findObject(cluster, kind, ns, keyRef.name);
      const data = obj ? dataOf(obj) : undefined;
      if (data && keyRef.key in data) env[v.name] = data[keyRef.key]!;
      else if (keyRef.optional) continue;
      else if (!obj) return { ok: false, message: `${kind === "Secret" ? "secret" : "configmap"} "${keyRef.name}" not found` };
      else return { ok: false, message: `couldn't find key ${keyRef.key} in ${kind} ${ns}/${keyRef.name}` };
      continue;
    }
    if (from.fieldRef) {
      const fields: Record<string, string | undefined> = {
        "metadata.name": pod.metadata.name,
        "metadata.namespace": ns,
        "metadata.uid": pod.metadata.uid,
        "spec.serviceAccountName": podSpec(pod).serviceAccountName ?? "default",
        "spec.nodeName": podSpec(pod).nodeName,
        "status.podIP": (pod.status as { podIP?: string } | undefined)?.podIP,
      };
      env[v.name] = fields[from.fieldRef.fieldPath] ?? "";
    }
  }
  return { ok: true, env };
}

/** PATH without directories that hold the developer tools DefaultAzureCredential would try. */
export function strippedPath(pathValue = process.env.PATH ?? ""): string {
  const tools = ["az", "azd", "pwsh", "powershell"];
  return pathValue
    .split(path.delimiter)
    .filter((dir) => dir && !tools.some((t) => existsSync(path.join(dir, t))))
    .join(path.delimiter);
}

/**
 * What the container runtime executes (Kubernetes "Define a command and arguments for a container"):
 * `command` replaces the image's ENTRYPOINT and, without `args`, its CMD too; `args` replace the CMD.
 */
export function containerArgv(image: ImageSpec, c: { command?: string[]; args?: string[] }): string[] {
  const entrypoint = c.command ?? image.entrypoint ?? [];
  const args = c.args ?? (c.command !== undefined ? [] : (image.cmd ?? []));
  return [...entrypoint, ...args];
}

// ---------------------------------------------------------------------------------------------
// The runner
// ---------------------------------------------------------------------------------------------

const LOG_LIMIT = 2 * 1024 * 1024;

interface ContainerRun {
  log: string;
  previous?: string;
  child?: ChildProcess;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function createPodRunner(ctx: ServiceContext, opts: PodRunnerOptions): PodRunner {
  const egress = new Map<string, Promise<EgressProxy>>();
  const runs = new Set<PodRun>();
  const timeoutMs = opts.timeoutMs ?? 60_000;

  function egressFor(cluster: ClusterState): Promise<EgressProxy> {
    let p = egress.get(cluster.name);
    if (!p) {
      p = startEgressProxy({ localAddress: clusterSourceAddress(ctx.state, cluster.name), upstreamProxy: ctx.urls.proxy });
      egress.set(cluster.name, p);
    }
    return p;
  }

  function baseEnv(podRoot: string, podName: string, proxyUrl: string): Record<string, string> {
    const env: Record<string, string> = {
      PATH: strippedPath(),
      HOME: path.join(podRoot, "home"),
      HOSTNAME: podName,
      LANG: "C.UTF-8",
      NODE_EXTRA_CA_CERTS: opts.caCertPath,
      REQUESTS_CA_BUNDLE: opts.caCertPath,
      SSL_CERT_FILE: opts.caCertPath,
      AZURE_POD_IDENTITY_AUTHORITY_HOST: ctx.urls.imds,
      IMDS_ENDPOINT: ctx.urls.imds,
      HTTPS_PROXY: proxyUrl,
      https_proxy: proxyUrl,
      NO_PROXY: "",
      no_proxy: "",
      PYTHONDONTWRITEBYTECODE: "1",
    };
    // pyenv shims need their root even with a fresh HOME.
    if (process.env.PYENV_ROOT) env.PYENV_ROOT = process.env.PYENV_ROOT;
    else if (process.env.HOME && existsSync(path.join(process.env.HOME, ".pyenv"))) env.PYENV_ROOT = path.join(process.env.HOME, ".pyenv");
    return env;
  }

  /** Writes projected/secret/configMap volumes; returns mountPath → directory on disk for remapping. */
  async function materialiseVolumes(
    pod: K8sObject,
    cluster: ClusterState,
    container: Container,
    podRoot: string,
  ): Promise<Map<string, string>> {
    const spec = podSpec(pod);
    const ns = pod.metadata.namespace ?? "default";
    const mounts = new Map<string, string>();
    for (const mount of container.volumeMounts ?? []) {
      const volume = (spec.volumes ?? []).find((v) => v.name === mount.name);
      if (!volume) continue;
      const dir = path.join(podRoot, "volumes", container.name, mount.mountPath);
      await mkdir(dir, { recursive: true });
      mounts.set(mount.mountPath, dir);
      const files: [string, string][] = [];
      const fromObject = (kind: string, name: string, items?: { key: string; path: string }[]) => {
        const obj = findObject(cluster, kind, ns, name);
        if (!obj) return;
        const data = dataOf(obj);
        for (const [k, v] of Object.entries(data)) {
          const item = items?.find((i) => i.key === k);
          if (items && !item) continue;
          files.push([item?.path ?? k, v]);
        }
      };
      for (const source of volume.projected?.sources ?? []) {
        if (source.serviceAccountToken) {
          const t = source.serviceAccountToken;
          const token = opts.mintServiceAccountToken(cluster, {
            namespace: ns,
            serviceAccount: spec.serviceAccountName ?? "default",
            audience: t.audience ?? cluster.issuerUrl ?? "https://kubernetes.default.svc.cluster.local",
            expirationSeconds: t.expirationSeconds ?? 3600,
            podName: pod.metadata.name,
            podUid: pod.metadata.uid ?? "",
          });
          files.push([t.path, token]);
        }
        if (source.secret) fromObject("Secret", source.secret.name, source.secret.items);
        if (source.configMap) fromObject("ConfigMap", source.configMap.name, source.configMap.items);
      }
      if (volume.secret) fromObject("Secret", volume.secret.secretName, volume.secret.items);
      if (volume.configMap) fromObject("ConfigMap", volume.configMap.name, volume.configMap.items);
      for (const [rel, content] of files) {
        const file = path.join(dir, rel);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, content, { mode: 0o600 });
      }
    }
    return mounts;
  }

  function remap(value: string, mounts: Map<string, string>): string {
    for (const [mountPath, dir] of mounts) {
      if (value === mountPath || value.startsWith(`${mountPath.replace(/\/+$/, "")}/`))
        return dir + value.slice(mountPath.replace(/\/+$/, "").length);
    }
    return value;
  }

  function run(pod: K8sObject, cluster: ClusterState, hooks: PodHooks): PodRun {
    const spec = podSpec(pod);
    const status = (pod.status ??= {}) as Record<string, unknown>;
    const containers = new Map<string, ContainerRun>();
    let stopped = false;
    let podRoot: string | undefined;
    const now = () => iso(ctx.now());
    const setStatuses = (entries: Record<string, unknown>[]) => {
      status.containerStatuses = entries;
      hooks.changed();
    };
    const containerStatus = (c: Container, state: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      name: c.name,
      image: c.image,
      imageID: "",
      ready: false,
      restartCount: 0,
      started: "running" in state,
      state,
      ...extra,
    });

    Object.assign(status, {
      phase: "Pending",
      conditions: [{ type: "PodScheduled", status: "True", lastTransitionTime: now() }],
      qosClass: "BestEffort",
    });
    spec.nodeName ??= `aks-nodepool1-${cluster.name.length.toString().padStart(8, "0")}-vmss000000`;
    hooks.event({
      type: "Normal",
      reason: "Scheduled",
      message: `Successfully assigned ${pod.metadata.namespace ?? "default"}/${pod.metadata.name} to ${spec.nodeName}`,
      source: "default-scheduler",
    });

    const done = (async (): Promise<PodOutcome> => {
      // Image pull: every container's image must be known, else the pod stays Pending (ImagePullBackOff).
      const missing = spec.containers.filter((c) => !opts.images[c.image]);
      if (missing.length > 0) {
        for (const c of missing) {
          hooks.event({ type: "Normal", reason: "Pulling", message: `Pulling image "${c.image}"`, source: "kubelet" });
          hooks.event({
            type: "Warning",
            reason: "Failed",
            message: `Failed to pull image "${c.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": ${c.image}: not found`,
            source: "kubelet",
          });
          hooks.event({ type: "Warning", reason: "Failed", message: "Error: ErrImagePull", source: "kubelet" });
        }
        const waiting = (reason: string) =>
          setStatuses(
            spec.containers.map((c) =>
              missing.includes(c)
                ? containerStatus(c, {
                    waiting: {
                      reason,
                      message:
                        reason === "ErrImagePull"
                          ? `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": not found`
                          : `Back-off pulling image "${c.image}"`,
                    },
                  })
                : containerStatus(c, { waiting: { reason: "PodInitializing" } }),
            ),
          );
        waiting("ErrImagePull");
        await new Promise((r) => setTimeout(r, 200));
        if (!stopped) {
          waiting("ImagePullBackOff");
          for (const c of missing)
            hooks.event({ type: "Normal", reason: "BackOff", message: `Back-off pulling image "${c.image}"`, source: "kubelet" });
        }
        return new Promise<PodOutcome>(() => undefined);
      }

      // Container configuration: env references must resolve, else CreateContainerConfigError.
      const envs = new Map<string, Record<string, string>>();
      for (const c of spec.containers) {
        const r = resolveContainerEnv(pod, c, cluster);
        if (!r.ok) {
          hooks.event({ type: "Warning", reason: "Failed", message: `Error: ${r.message}`, source: "kubelet" });
          setStatuses(
            spec.containers.map((x) =>
              containerStatus(x, {
                waiting: x === c ? { reason: "CreateContainerConfigError", message: r.message } : { reason: "ContainerCreating" },
              }),
            ),
          );
          return new Promise<PodOutcome>(() => undefined);
        }
        envs.set(c.name, r.env);
        if (containerArgv(opts.images[c.image]!, c).length === 0) {
          // Neither the image nor the pod names a program: the runtime cannot create the container.
          const message = "failed to create containerd task: failed to create shim task: OCI runtime create failed: no command specified";
          hooks.event({ type: "Warning", reason: "Failed", message: `Error: ${message}`, source: "kubelet" });
          setStatuses(
            spec.containers.map((x) =>
              containerStatus(x, { waiting: x === c ? { reason: "CreateContainerError", message } : { reason: "ContainerCreating" } }),
            ),
          );
          return new Promise<PodOutcome>(() => undefined);
        }
      }

      podRoot = await mkdtemp(path.join(tmpdir(), `sandbox-pod-${pod.metadata.name.slice(0, 40)}-`));
      await mkdir(path.join(podRoot, "home"), { recursive: true });
      const proxy = await egressFor(cluster);
      const results = await Promise.all(
        spec.containers.map(async (c) => {
          const image = opts.images[c.image]!;
          hooks.event({
            type: "Normal",
            reason: "Pulled",
            message: `Container image "${c.image}" already present on machine`,
            source: "kubelet",
          });
          const mounts = await materialiseVolumes(pod, cluster, c, podRoot!);
          const own = envs.get(c.name)!;
          const env = { ...baseEnv(podRoot!, pod.metadata.name, proxy.url), ...(opts.env ?? {}), ...(image.env ?? {}) };
          for (const [k, v] of Object.entries(own)) env[k] = remap(v, mounts);
          const argv = containerArgv(image, c).map((a) => remap(expandVars(a, own), mounts));
          hooks.event({ type: "Normal", reason: "Created", message: `Created container: ${c.name}`, source: "kubelet" });
          return runContainer(c, argv, env, image.workingDir ?? process.cwd());
        }),
      );
      const phase = results.every((code) => code === 0) ? "Succeeded" : "Failed";
      Object.assign(status, {
        phase,
        conditions: [
          ...((status.conditions as object[]) ?? []),
          { type: "Ready", status: "False", reason: "PodCompleted", lastTransitionTime: now() },
        ],
      });
      hooks.changed();
      return { phase };
    })();

    /** Runs one container; with restartPolicy OnFailure the kubelet restarts it in place up to `restartLimit` times. */
    async function runContainer(c: Container, argv: string[], env: Record<string, string>, cwd: string): Promise<number> {
      const entry: ContainerRun = { log: "" };
      containers.set(c.name, entry);
      const restartLimit = spec.restartPolicy === "OnFailure" ? (hooks.restartLimit ?? 0) : 0;
      let restarts = 0;
      for (;;) {
        const code = await runOnce(c, argv, env, cwd, entry, restarts);
        if (code === 0 || stopped || restarts >= restartLimit) return code;
        restarts += 1;
        entry.previous = entry.log;
        entry.log = "";
        hooks.event({
          type: "Warning",
          reason: "BackOff",
          message: `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}`,
          source: "kubelet",
        });
      }
    }

    function runOnce(
      c: Container,
      argv: string[],
      env: Record<string, string>,
      cwd: string,
      entry: ContainerRun,
      restartCount: number,
    ): Promise<number> {
      if (stopped) return Promise.resolve(137);
      const startedAt = now();
      const [program, ...args] = argv;
      const child = spawn(program!, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
      entry.child = child;
      const append = (chunk: Buffer) => {
        if (entry.log.length < LOG_LIMIT) entry.log += chunk.toString();
      };
      child.stdout?.on("data", append);
      child.stderr?.on("data", append);
      hooks.event({ type: "Normal", reason: "Started", message: `Started container ${c.name}`, source: "kubelet" });
      const current =
        (status.containerStatuses as Record<string, unknown>[] | undefined) ??
        spec.containers.map((x) => containerStatus(x, { waiting: { reason: "ContainerCreating" } }));
      setStatuses(
        current.map((s) =>
          s.name === c.name ? containerStatus(c, { running: { startedAt } }, { ready: true, started: true, restartCount }) : s,
        ),
      );
      Object.assign(status, {
        phase: "Running",
        startTime: (status.startTime as string | undefined) ?? startedAt,
        podIP: "10.244.0.12",
        hostIP: "10.224.0.4",
      });
      hooks.changed();
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      return new Promise<number>((resolve) => {
        let settled = false;
        const finish = (code: number, reason: string) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const statuses = (status.containerStatuses as Record<string, unknown>[]).map((s) =>
            s.name === c.name
              ? containerStatus(
                  c,
                  {
                    terminated: {
                      exitCode: code,
                      reason,
                      startedAt,
                      finishedAt: now(),
                      containerID: `containerd://${pod.metadata.uid ?? ""}-${c.name}`,
                    },
                  },
                  { started: false, restartCount },
                )
              : s,
          );
          setStatuses(statuses);
          resolve(code);
        };
        child.once("error", (err) => {
          entry.log += `exec ${program}: ${err.message}\n`;
          finish(128, "StartError");
        });
        child.once("close", (code, signal) => {
          const exit = code ?? (signal === "SIGKILL" ? 137 : 143);
          finish(exit, exit === 0 ? "Completed" : "Error");
        });
      });
    }

    const handle: PodRun = {
      done,
      log: (name, previous) => {
        const c = containers.get(name);
        return previous ? c?.previous : c?.log;
      },
      stop: async () => {
        stopped = true;
        for (const c of containers.values()) c.child?.kill("SIGKILL");
        runs.delete(handle);
        if (podRoot) await rm(podRoot, { recursive: true, force: true });
      },
    };
    runs.add(handle);
    void done.finally(async () => {
      if (podRoot && !stopped) await rm(path.join(podRoot, "volumes"), { recursive: true, force: true });
    });
    return handle;
  }

  return {
    run,
    close: async () => {
      await Promise.all([...runs].map((r) => r.stop()));
      const proxies = await Promise.all(egress.values());
      await Promise.all(proxies.map((p) => p.close()));
      egress.clear();
    },
  };
}
