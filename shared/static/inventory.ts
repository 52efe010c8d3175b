/**
 * The non-workload objects the checks look things up in: ServiceAccounts (their Workload Identity
 * annotations), Secrets (key names only: their values are never decoded) and ConfigMaps.
 */
import type { KObject, ManifestSet } from "./parse.js";
import { entry, mapAt, scalarText, stringMap } from "./yaml-tree.js";

export const WI_CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
export const WI_USE_LABEL = "azure.workload.identity/use";
/** AAD Pod Identity's (deprecated) pod label: its value selects an AzureIdentityBinding. */
export const AAD_POD_IDENTITY_LABEL = "aadpodidbinding";

export interface ServiceAccountView {
  namespace: string;
  name: string;
  file: string;
  line: number;
  /** `azure.workload.identity/client-id`, when annotated. */
  clientId?: string;
  /** Line of that annotation's key. */
  clientIdLine?: number;
}

export interface SecretView {
  namespace: string;
  name: string;
  file: string;
  line: number;
  /** Keys of `data` and `stringData`, with the line of each key. */
  keys: Map<string, number>;
}

export interface ConfigMapView {
  namespace: string;
  name: string;
  file: string;
  line: number;
  /** `data` entries (values as text). */
  data: Map<string, { value: string; line: number }>;
}

export interface Inventory {
  serviceAccounts: Map<string, ServiceAccountView>;
  secrets: Map<string, SecretView>;
  configMaps: Map<string, ConfigMapView>;
}

export function nsKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function serviceAccountOf(o: KObject): ServiceAccountView {
  const annotations = mapAt(o.root, "metadata", "annotations");
  const clientId = entry(annotations, WI_CLIENT_ID_ANNOTATION);
  const text = scalarText(clientId?.value)?.trim();
  return {
    namespace: o.namespace,
    name: o.name,
    file: o.file,
    line: o.line,
    ...(text && clientId ? { clientId: text, clientIdLine: clientId.keyLine } : {}),
  };
}

function secretOf(o: KObject): SecretView {
  const keys = new Map<string, number>();
  for (const field of ["data", "stringData"]) {
    const m = mapAt(o.root, field);
    if (m) for (const [k, e] of m.entries) keys.set(k, e.keyLine);
  }
  return { namespace: o.namespace, name: o.name, file: o.file, line: o.line, keys };
}

function configMapOf(o: KObject): ConfigMapView {
  // Only scalar values matter: Kubernetes rejects a ConfigMap whose data value is a map or list.
  const data = stringMap(mapAt(o.root, "data"));
  return { namespace: o.namespace, name: o.name, file: o.file, line: o.line, data };
}

export function buildInventory(set: ManifestSet): Inventory {
  const inv: Inventory = { serviceAccounts: new Map(), secrets: new Map(), configMaps: new Map() };
  for (const o of set.objects) {
    const key = nsKey(o.namespace, o.name);
    if (o.kind === "ServiceAccount") inv.serviceAccounts.set(key, serviceAccountOf(o));
    else if (o.kind === "Secret") inv.secrets.set(key, secretOf(o));
    else if (o.kind === "ConfigMap") inv.configMaps.set(key, configMapOf(o));
  }
  return inv;
}
