/**
 * The environment a container ends up with, from `env` (value / valueFrom) and `envFrom`, resolved
 * against the Secrets and ConfigMaps the manifests define. What the manifests cannot show (a Secret
 * created with kubectl, an optional ref) is "unknown", never guessed: the rules only fire on what is
 * certain. Literal credential values are not kept at all, only their length and what kind they are.
 */
import { credentialFamily, credentialKind, type CredentialFamily } from "./credentials.js";
import { nsKey, type Inventory } from "./inventory.js";
import { asMap, asSeq, child, entry, scalarText, textAt, type YMap, type YSeq } from "./yaml-tree.js";

export type Presence = "present" | "absent" | "unknown";

// Values of variables named like these are not kept either (a database password is not ours to carry around).
const SECRET_NAME =
  /SECRET|PASSWORD|PASSWD|PWD|TOKEN|CONNECTION_?STRING|CREDENTIAL|PRIVATE|API_?KEY|(^|_)(ACCOUNT_?)?KEY($|_)|(^|_)SAS($|_)/i;

/** The value worth keeping for the rules and the listing: never a credential, nor anything named like one. */
function keptValue(name: string, value: string): string | undefined {
  return credentialKind(name, value) || SECRET_NAME.test(name) ? undefined : value;
}

export type EnvSource =
  /** `value:`. `value` is kept only when it is not (named like) a secret: client ids, tenant ids, account names. */
  | { kind: "literal"; length: number; credential?: string; family?: CredentialFamily; value?: string }
  | { kind: "secret"; name: string; key: string; defined: boolean }
  | { kind: "configMap"; name: string; key: string; defined: boolean; value?: string }
  | { kind: "field" };

export interface EnvVar {
  name: string;
  via: "env" | "envFrom";
  /** The key a finding points at: `value` for literals, the entry's `name` for valueFrom, the ref's `name` for envFrom. */
  line: number;
  source: EnvSource;
  presence: Presence;
}

/** An envFrom ref whose keys the manifests do not show: any variable not set explicitly may come from it. */
export interface OpenRef {
  kind: "secret" | "configMap";
  name: string;
  line: number;
  optional: boolean;
}

export interface ContainerEnv {
  /** Every variable the manifests set, in order (an overridden entry is still written in the file). */
  entries: EnvVar[];
  /** What each name ends up as: later envFrom beats earlier, `env` beats `envFrom`, last `env` entry wins. */
  effective: Map<string, EnvVar>;
  open: OpenRef[];
}

export function presenceOf(env: ContainerEnv, name: string): Presence {
  const v = env.effective.get(name);
  if (v) return v.presence;
  return env.open.length > 0 ? "unknown" : "absent";
}

/** The variable's value when the manifests show it (literal or a defined ConfigMap key); never a credential. */
export function knownValue(v: EnvVar | undefined): string | undefined {
  if (!v) return undefined;
  if (v.source.kind === "literal" || v.source.kind === "configMap") return v.source.value;
  return undefined;
}

function isOptional(ref: YMap | undefined): boolean {
  const v = child(ref, "optional");
  return v?.type === "scalar" && (v.value === true || v.value === "true");
}

function fromKeyRef(
  kind: "secret" | "configMap",
  ref: YMap,
  namespace: string,
  inv: Inventory,
): { source: EnvSource; presence: Presence } | undefined {
  const name = textAt(ref, "name") ?? "";
  const key = textAt(ref, "key") ?? "";
  const optional = isOptional(ref);
  if (kind === "secret") {
    const secret = inv.secrets.get(nsKey(namespace, name));
    const source: EnvSource = { kind: "secret", name, key, defined: secret !== undefined };
    if (!secret) return { source, presence: optional ? "unknown" : "present" };
    if (secret.keys.has(key)) return { source, presence: "present" };
    // A missing optional key leaves the variable unset; a missing required one stops the pod from starting.
    return optional ? undefined : { source, presence: "unknown" };
  }
  const cm = inv.configMaps.get(nsKey(namespace, name));
  if (!cm) return { source: { kind: "configMap", name, key, defined: false }, presence: optional ? "unknown" : "present" };
  const data = cm.data.get(key);
  if (!data) return optional ? undefined : { source: { kind: "configMap", name, key, defined: true }, presence: "unknown" };
  const value = keptValue(key, data.value);
  return {
    source: { kind: "configMap", name, key, defined: true, ...(value !== undefined ? { value } : {}) },
    presence: data.value === "" ? "absent" : "present",
  };
}

function envEntry(item: YMap, namespace: string, inv: Inventory): EnvVar | undefined {
  const nameEntry = entry(item, "name");
  const name = scalarText(nameEntry?.value);
  if (!name || !nameEntry) return undefined;
  const valueFrom = asMap(child(item, "valueFrom"));
  if (valueFrom) {
    const secretRef = asMap(child(valueFrom, "secretKeyRef"));
    const cmRef = asMap(child(valueFrom, "configMapKeyRef"));
    const resolved = secretRef
      ? fromKeyRef("secret", secretRef, namespace, inv)
      : cmRef
        ? fromKeyRef("configMap", cmRef, namespace, inv)
        : { source: { kind: "field" } as EnvSource, presence: "present" as Presence };
    if (!resolved) return undefined;
    return { name, via: "env", line: nameEntry.keyLine, ...resolved };
  }
  const valueEntry = entry(item, "value");
  const value = scalarText(valueEntry?.value) ?? "";
  const credential = credentialKind(name, value);
  const family = credential ? credentialFamily(name, value) : undefined;
  const kept = keptValue(name, value);
  const source: EnvSource = {
    kind: "literal",
    length: [...value].length,
    ...(credential ? { credential } : {}),
    ...(family ? { family } : {}),
    ...(kept !== undefined ? { value: kept } : {}),
  };
  // An empty value sets the variable to "", which every Azure SDK treats as not set.
  return { name, via: "env", line: valueEntry?.keyLine ?? nameEntry.keyLine, source, presence: value === "" ? "absent" : "present" };
}

function envFromEntries(item: YMap, namespace: string, inv: Inventory, env: ContainerEnv): void {
  const prefix = textAt(item, "prefix") ?? "";
  for (const kind of ["secret", "configMap"] as const) {
    const ref = asMap(child(item, kind === "secret" ? "secretRef" : "configMapRef"));
    if (!ref) continue;
    const nameEntry = entry(ref, "name");
    const name = scalarText(nameEntry?.value) ?? "";
    const line = nameEntry?.keyLine ?? ref.line;
    const optional = isOptional(ref);
    if (kind === "secret") {
      const secret = inv.secrets.get(nsKey(namespace, name));
      if (!secret) {
        env.open.push({ kind, name, line, optional });
        continue;
      }
      for (const key of secret.keys.keys()) {
        env.entries.push({
          name: prefix + key,
          via: "envFrom",
          line,
          source: { kind: "secret", name, key, defined: true },
          presence: "present",
        });
      }
    } else {
      const cm = inv.configMaps.get(nsKey(namespace, name));
      if (!cm) {
        env.open.push({ kind, name, line, optional });
        continue;
      }
      for (const [key, data] of cm.data) {
        const value = keptValue(prefix + key, data.value);
        env.entries.push({
          name: prefix + key,
          via: "envFrom",
          line,
          source: { kind: "configMap", name, key, defined: true, ...(value !== undefined ? { value } : {}) },
          presence: data.value === "" ? "absent" : "present",
        });
      }
    }
  }
}

/** Resolves one container's `env` and `envFrom`. */
export function containerEnv(container: YMap, namespace: string, inv: Inventory): ContainerEnv {
  const env: ContainerEnv = { entries: [], effective: new Map(), open: [] };
  const envFrom: YSeq | undefined = asSeq(child(container, "envFrom"));
  for (const item of envFrom?.items ?? []) {
    const m = asMap(item);
    if (m) envFromEntries(m, namespace, inv, env);
  }
  for (const item of asSeq(child(container, "env"))?.items ?? []) {
    const m = asMap(item);
    const v = m ? envEntry(m, namespace, inv) : undefined;
    if (v) env.entries.push(v);
  }
  // envFrom first (in order), then env (in order): each later write wins, as in the kubelet.
  for (const v of env.entries) env.effective.set(v.name, v);
  return env;
}
