/**
 * Scenario (YAML file or object) → TenantState. Validates with `scenarioSchema` (a bad scenario is one
 * line naming the file and the field), derives every id from names (ids.ts), resolves refs
 * (principals, scopes, issuers, roles — syntax in schema.ts and docs/sandbox.md), relative dates from
 * the sandbox clock, and the signing keys of Entra ID, each cluster issuer and GitHub.
 *
 * Strings inside `clusters[].objects` may use placeholders the scenario author cannot know in
 * advance: `{{tenantId}}`, `{{identity:<name>.clientId}}`, `{{identity:<name>.principalId}}`,
 * `{{identity:<name>.id}}`, `{{app:<name>.appId}}`, `{{cluster:<name>.issuerUrl}}`, and the sandbox URLs an app's settings name:
 * `{{vault:<name>.url}}` (Key Vault URL), `{{storage:<name>.blobUrl}}` (blob service URL).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { GUID, nameGuid, nameHex32, nameNumber, parseWhen } from "../ids.js";
import { cachedSigningKey } from "../jwt.js";
import { EVERYONE } from "../rbac.js";
import { builtInRoleDefinitions, builtInRoleGuid } from "../roles.js";
import type {
  ApplicationState,
  ClusterState,
  IdentityState,
  K8sObject,
  KeyVaultState,
  NetworkState,
  RoleAssignmentState,
  SigningKey,
  StorageAccountState,
  TenantState,
} from "../state.js";
import { scenarioSchema, type Scenario, type ScenarioInput } from "./schema.js";

/** A scenario that cannot be used: the message is one line, naming the file and the field. */
export class ScenarioError extends Error {
  override name = "ScenarioError";
}

export const SCENARIOS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "scenarios");

/** The shipped scenarios (test/sandbox/scenarios/*.yaml) by name. */
export function scenarioFile(name: string): string {
  return path.join(SCENARIOS_DIR, `${name}.yaml`);
}

/**
 * Reads and validates a scenario: a file path (YAML or JSON), the name of a shipped scenario, or an
 * object. Returns the parsed scenario and a label for error messages.
 */
export function loadScenario(input: string | ScenarioInput): { scenario: Scenario; source: string } {
  let raw: unknown = input;
  let source = "scenario";
  if (typeof input === "string") {
    const file = existsSync(input) ? input : /^[\w.-]+$/.test(input) && existsSync(scenarioFile(input)) ? scenarioFile(input) : undefined;
    if (!file) throw new ScenarioError(`scenario ${input}: no such file (and no shipped scenario of that name)`);
    source = path.relative(process.cwd(), file) || file;
    try {
      raw = parseYaml(readFileSync(file, "utf8"));
    } catch (err) {
      throw new ScenarioError(`scenario ${source}: not valid YAML: ${(err as Error).message.split("\n")[0]}`, { cause: err });
    }
  }
  const parsed = scenarioSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length
      ? issue.path
          .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
          .join("")
          .replace(/^\./, "")
      : "(root)";
    throw new ScenarioError(`scenario ${source}: ${at}: ${issue?.message ?? "invalid"}`);
  }
  return { scenario: parsed.data, source };
}

export interface ResolveOptions {
  /** Base URL of the sandbox's OIDC issuers service (cluster issuers and GitHub's live under it). */
  issuers: string;
  /** Sandbox clock origin (relative dates count from it). */
  now: Date;
  /** Label for error messages (file name). */
  source?: string;
  /** Sandbox URLs, for the `{{vault:<n>.url}}` / `{{storage:<n>.blobUrl}}` placeholders. */
  urls?: { keyVault: string; blob: string };
  /** Signing keys by kid (default: generated once per process). */
  signingKey?: (kid: string) => SigningKey;
}

export function githubIssuer(issuers: string): string {
  return `${issuers.replace(/\/+$/, "")}/github`;
}

export function subnetId(subscriptionId: string, resourceGroup: string, subnet: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/${subnet}`;
}

type Where = string;

export function resolveScenario(scenario: Scenario, opts: ResolveOptions): TenantState {
  const source = opts.source ?? "scenario";
  const fail = (where: Where, message: string): never => {
    throw new ScenarioError(`scenario ${source}: ${where}: ${message}`);
  };
  const key = opts.signingKey ?? cachedSigningKey;
  const origin = opts.now;
  const when = (value: string | undefined, fallback: string, where: Where): Date => {
    const d = parseWhen(value ?? fallback, origin);
    return d ?? fail(where, `'${value}' is neither an ISO date nor a relative date like -1d, +30d, -5m`);
  };
  const tenantName = scenario.tenant.name;
  const tenantId = nameGuid("tenant", tenantName);
  const issuersBase = opts.issuers.replace(/\/+$/, "");

  const state: TenantState = {
    tenantId,
    tenantName,
    startedAt: origin,
    subscriptions: [],
    resourceGroups: [],
    clusters: [],
    identities: [],
    storageAccounts: [],
    keyVaults: [],
    roleDefinitions: builtInRoleDefinitions(),
    roleAssignments: [],
    denyAssignments: [],
    applications: [],
    github: undefined,
    entraSigningKey: key(`entra-${tenantName}`),
    latencyMs: scenario.latencyMs,
    faults: scenario.faults,
  };

  const unique = (kind: string, names: string[], where: Where) => {
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n.toLowerCase())) fail(where, `two ${kind} are named '${n}'`);
      seen.add(n.toLowerCase());
    }
  };
  const subs = scenario.subscriptions;
  unique(
    "subscriptions",
    subs.map((s) => s.name),
    "subscriptions",
  );
  unique(
    "clusters",
    subs.flatMap((s) => s.resourceGroups.flatMap((g) => g.clusters.map((c) => c.name))),
    "subscriptions",
  );
  unique(
    "identities",
    subs.flatMap((s) => s.resourceGroups.flatMap((g) => g.identities.map((c) => c.name))),
    "subscriptions",
  );
  unique(
    "storage accounts",
    subs.flatMap((s) => s.resourceGroups.flatMap((g) => g.storageAccounts.map((c) => c.name))),
    "subscriptions",
  );
  unique(
    "key vaults",
    subs.flatMap((s) => s.resourceGroups.flatMap((g) => g.keyVaults.map((c) => c.name))),
    "subscriptions",
  );
  unique(
    "applications",
    scenario.applications.map((a) => a.name),
    "applications",
  );

  // Pass 1: containers of everything (ids, names), so refs can be resolved in pass 2.
  subs.forEach((sub) => {
    const subscriptionId = nameGuid("subscription", tenantName, sub.name);
    state.subscriptions.push({ subscriptionId, name: sub.name });
    for (const g of sub.resourceGroups) {
      const rgId = `/subscriptions/${subscriptionId}/resourceGroups/${g.name}`;
      state.resourceGroups.push({ id: rgId, subscriptionId, name: g.name, location: g.location });
      const base = { subscriptionId, resourceGroup: g.name, location: g.location };
      for (const c of g.clusters) {
        const issuerGuid = nameGuid("oidc-issuer", tenantName, sub.name, g.name, c.name);
        state.clusters.push({
          ...base,
          id: `${rgId}/providers/Microsoft.ContainerService/managedClusters/${c.name}`,
          name: c.name,
          issuerUrl: c.oidcIssuer ? `${issuersBase}/clusters/${issuerGuid}/` : undefined,
          oidcIssuerEnabled: c.oidcIssuer,
          workloadIdentityEnabled: c.workloadIdentity,
          signingKey: key(`sa-${tenantName}-${c.name}`),
          subnetId: c.subnet ? subnetId(subscriptionId, g.name, c.subnet) : undefined,
          egressIp: c.egressIp,
          objects: [],
        });
      }
      for (const i of g.identities) {
        state.identities.push({
          ...base,
          id: `${rgId}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${i.name}`,
          name: i.name,
          clientId: nameGuid("uami-client-id", tenantName, sub.name, g.name, i.name),
          principalId: nameGuid("uami-principal-id", tenantName, sub.name, g.name, i.name),
          tenantId,
          federatedCredentials: [],
          assignedToNodes: i.assignedToNodes,
        });
      }
    }
  });
  for (const a of scenario.applications) {
    state.applications.push({
      id: nameGuid("app-object-id", tenantName, a.name),
      appId: nameGuid("app-id", tenantName, a.name),
      displayName: a.name,
      passwordCredentials: [],
      federatedIdentityCredentials: [],
      owners: [],
      servicePrincipalId: nameGuid("service-principal-id", tenantName, a.name),
      graphPermissions: [...a.graphPermissions],
      tags: [...a.tags],
    });
  }
  if (scenario.github) {
    const [owner = "", repo = ""] = scenario.github.repository.split("/");
    state.github = {
      repository: scenario.github.repository,
      ownerId: nameNumber(1_000_000, 90_000_000, "github-owner", owner.toLowerCase()),
      repoId: nameNumber(100_000_000, 800_000_000, "github-repo", scenario.github.repository.toLowerCase(), repo),
      ref: scenario.github.ref,
      ...(scenario.github.environment !== undefined ? { environment: scenario.github.environment } : {}),
      ...(scenario.github.pullRequest !== undefined ? { pullRequest: scenario.github.pullRequest } : {}),
      fork: scenario.github.fork,
      immutableSubject: scenario.github.immutableSubject,
      workflow: scenario.github.workflow,
      signingKey: key("github-actions"),
      comments: [],
      issues: [],
      reviews: [],
      ...(scenario.github.headSha !== undefined ? { headSha: scenario.github.headSha } : {}),
      pullFiles: scenario.github.pullRequestFiles.map((f) => ({ ...f })),
      reviewComments: [],
    };
  }

  // Name → state maps, built once the named things exist (role assignments alone make ~30k lookups at 10k identities).
  const identitiesByName = byLowerCaseName(state.identities, (i) => i.name);
  const appsByName = byLowerCaseName(state.applications, (a) => a.displayName);
  const clustersByName = byLowerCaseName(state.clusters, (c) => c.name);
  const identityNamed = (n: string, where: Where): IdentityState =>
    identitiesByName.get(n.toLowerCase()) ?? fail(where, `no identity named '${n}'`);
  const appNamed = (n: string, where: Where): ApplicationState =>
    appsByName.get(n.toLowerCase()) ?? fail(where, `no application named '${n}'`);
  const clusterNamed = (n: string, where: Where): ClusterState =>
    clustersByName.get(n.toLowerCase()) ?? fail(where, `no cluster named '${n}'`);

  const principal = (ref: string, where: Where): string => {
    const [kind, name] = splitRef(ref);
    if (kind === "identity") return identityNamed(name, where).principalId;
    if (kind === "app") return appNamed(name, where).servicePrincipalId;
    if (kind === "" && GUID.test(ref)) return ref.toLowerCase();
    if (ref.toLowerCase() === "everyone") return EVERYONE;
    return fail(where, `'${ref}' is not a principal ref (identity:<name>, app:<name> or an object id)`);
  };

  const issuer = (ref: string, where: Where): string => {
    const [kind, rest] = splitRef(ref);
    const [name, modifier] = rest.split(":");
    let url: string;
    if (kind === "cluster") {
      const c = clusterNamed(name ?? "", where);
      url = c.issuerUrl ?? fail(where, `cluster '${c.name}' has no OIDC issuer (oidcIssuer: false)`);
    } else if (kind === "github" || ref === "github" || ref.startsWith("github:")) {
      url = githubIssuer(issuersBase);
      return applyIssuerModifier(url, ref === "github" ? undefined : ref.slice("github:".length), where, fail);
    } else if (/^https?:\/\//.test(ref)) {
      return ref;
    } else {
      return fail(where, `'${ref}' is not an issuer ref (cluster:<name>, github, or a URL)`);
    }
    return applyIssuerModifier(url, modifier, where, fail);
  };

  const subscriptionNamed = (n: string, where: Where) =>
    state.subscriptions.find((s) => s.name.toLowerCase() === n.toLowerCase() || s.subscriptionId === n.toLowerCase()) ??
    fail(where, `no subscription named '${n}'`);

  // Storage accounts and vaults are created in pass 2; their maps are filled right after it (nothing looks them up earlier).
  const storageByName = new Map<string, StorageAccountState>();
  const vaultsByName = new Map<string, KeyVaultState>();
  // Storage account names match exactly (the schema already makes them lower-case); vault names ignore case.
  const storageNamed = (n: string, where: Where): StorageAccountState =>
    storageByName.get(n) ?? fail(where, `no storage account named '${n}'`);
  const vaultNamed = (n: string, where: Where): KeyVaultState =>
    vaultsByName.get(n.toLowerCase()) ?? fail(where, `no key vault named '${n}'`);

  const scope = (ref: string, where: Where): string => {
    if (ref.startsWith("/")) return ref;
    const [kind, rest] = splitRef(ref);
    switch (kind) {
      case "subscription":
        return `/subscriptions/${subscriptionNamed(rest, where).subscriptionId}`;
      case "rg": {
        const [subName = "", rgName = ""] = rest.split("/");
        const sub = subscriptionNamed(subName, where);
        const rg =
          state.resourceGroups.find((g) => g.subscriptionId === sub.subscriptionId && g.name.toLowerCase() === rgName.toLowerCase()) ??
          fail(where, `no resource group '${rgName}' in subscription '${subName}'`);
        return rg.id;
      }
      case "storage": {
        const [account = "", containers, container, ...more] = rest.split("/");
        const a = storageNamed(account, where);
        if (containers === undefined) return a.id;
        if (containers !== "containers" || !container || more.length > 0)
          return fail(where, `'${ref}' is not storage:<account> or storage:<account>/containers/<container>`);
        if (!a.containers.includes(container)) fail(where, `storage account '${account}' has no container '${container}'`);
        return `${a.id}/blobServices/default/containers/${container}`;
      }
      case "vault": {
        const [vault = "", secrets, secret, ...more] = rest.split("/");
        const v = vaultNamed(vault, where);
        if (secrets === undefined) return v.id;
        if (secrets !== "secrets" || !secret || more.length > 0)
          return fail(where, `'${ref}' is not vault:<name> or vault:<name>/secrets/<secret>`);
        return `${v.id}/secrets/${secret}`;
      }
      case "cluster":
        return clusterNamed(rest, where).id;
      case "identity":
        return identityNamed(rest, where).id;
      default:
        return fail(where, `'${ref}' is not a scope ref (subscription:, rg:, storage:, vault:, cluster:, identity: or an ARM id)`);
    }
  };

  const network = (
    n: {
      publicNetworkAccess: NetworkState["publicNetworkAccess"];
      defaultAction: NetworkState["defaultAction"];
      virtualNetworkRules: string[];
      ipRules: string[];
      bypassAzureServices: boolean;
      privateEndpoint: boolean;
    },
    sub: string,
    rg: string,
    where: Where,
  ): NetworkState => ({
    publicNetworkAccess: n.publicNetworkAccess,
    defaultAction: n.defaultAction,
    virtualNetworkRules: n.virtualNetworkRules.map((s, i) => {
      if (s.startsWith("/")) return s;
      const owner = scenario.subscriptions.flatMap((x) => x.resourceGroups.flatMap((g) => g.clusters.filter((c) => c.subnet === s)));
      if (owner.length === 0)
        fail(`${where}.virtualNetworkRules[${i}]`, `no cluster uses a subnet named '${s}' (give a subnet ARM id to name another one)`);
      return state.clusters.find((c) => c.name === owner[0]!.name)!.subnetId ?? subnetId(sub, rg, s);
    }),
    ipRules: [...n.ipRules],
    bypassAzureServices: n.bypassAzureServices,
    privateEndpoint: n.privateEndpoint,
  });

  // Pass 2: everything that refers to something else.
  subs.forEach((sub, si) => {
    const subscriptionId = nameGuid("subscription", tenantName, sub.name);
    sub.resourceGroups.forEach((g, gi) => {
      const at = `subscriptions[${si}].resourceGroups[${gi}]`;
      const rgId = `/subscriptions/${subscriptionId}/resourceGroups/${g.name}`;
      const base = { subscriptionId, resourceGroup: g.name, location: g.location };
      g.identities.forEach((i, ii) => {
        const identity = identityNamed(i.name, at);
        identity.federatedCredentials = i.federatedCredentials.map((f, fi) => ({
          id: `${identity.id}/federatedIdentityCredentials/${f.name}`,
          name: f.name,
          issuer: issuer(f.issuer, `${at}.identities[${ii}].federatedCredentials[${fi}].issuer`),
          subject: f.subject,
          audiences: [...f.audiences],
        }));
      });
      g.storageAccounts.forEach((a, ai) => {
        const containers = new Set(a.containers);
        for (const k of Object.keys(a.blobs)) {
          const [c, ...rest] = k.split("/");
          if (!c || rest.length === 0) fail(`${at}.storageAccounts[${ai}].blobs`, `'${k}' is not 'container/path'`);
          containers.add(c!);
        }
        state.storageAccounts.push({
          ...base,
          id: `${rgId}/providers/Microsoft.Storage/storageAccounts/${a.name}`,
          name: a.name,
          containers: [...containers],
          network: network(a, subscriptionId, g.name, `${at}.storageAccounts[${ai}]`),
          blobs: { ...a.blobs },
        });
      });
      g.keyVaults.forEach((v, vi) => {
        const where = `${at}.keyVaults[${vi}]`;
        const created = Math.floor((origin.getTime() - 86_400_000) / 1000);
        state.keyVaults.push({
          ...base,
          id: `${rgId}/providers/Microsoft.KeyVault/vaults/${v.name}`,
          name: v.name,
          enableRbacAuthorization: v.rbac,
          softDelete: v.softDelete,
          accessPolicies: v.accessPolicies.map((p, pi) => ({
            objectId: principal(p.principal, `${where}.accessPolicies[${pi}].principal`),
            tenantId,
            permissions: { secrets: p.secrets.includes("all") ? ["all"] : [...p.secrets], keys: [], certificates: [] },
          })),
          secrets: v.secrets.map((s, si2) => {
            const expires =
              s.expires !== undefined ? Math.floor(when(s.expires, "", `${where}.secrets[${si2}].expires`).getTime() / 1000) : undefined;
            return {
              name: s.name,
              versions: [
                {
                  version: nameHex32("secret-version", tenantName, v.name, s.name),
                  value: s.value,
                  enabled: s.enabled,
                  ...(expires !== undefined ? { expires } : {}),
                  created,
                  updated: created,
                  ...(s.contentType !== undefined ? { contentType: s.contentType } : {}),
                  tags: { ...s.tags },
                },
              ],
            };
          }),
          network: network(v, subscriptionId, g.name, where),
        });
      });
    });
  });

  for (const a of state.storageAccounts) if (!storageByName.has(a.name)) storageByName.set(a.name, a);
  for (const [name, v] of byLowerCaseName(state.keyVaults, (x) => x.name)) vaultsByName.set(name, v);

  scenario.applications.forEach((a, ai) => {
    const where = `applications[${ai}]`;
    const app = appNamed(a.name, where);
    app.passwordCredentials = a.secrets.map((s, si) => ({
      keyId: nameGuid("app-secret", tenantName, a.name, String(si)),
      displayName: s.displayName,
      hint: s.value.slice(0, 3),
      startDateTime: when(s.created, "-30d", `${where}.secrets[${si}].created`).toISOString(),
      endDateTime: when(s.expires, "+365d", `${where}.secrets[${si}].expires`).toISOString(),
      secretText: s.value,
    }));
    app.federatedIdentityCredentials = a.federatedCredentials.map((f, fi) => ({
      id: nameGuid("app-fic", tenantName, a.name, f.name),
      name: f.name,
      issuer: issuer(f.issuer, `${where}.federatedCredentials[${fi}].issuer`),
      subject: f.subject,
      audiences: [...f.audiences],
    }));
    app.owners = a.owners.map((o, oi) => principal(o, `${where}.owners[${oi}]`));
  });

  const firstSub = state.subscriptions[0]?.subscriptionId;
  state.roleAssignments = scenario.roleAssignments.map((r, ri): RoleAssignmentState => {
    const where = `roleAssignments[${ri}]`;
    const principalId = principal(r.principal, `${where}.principal`);
    const roleGuid =
      builtInRoleGuid(r.role) ?? fail(`${where}.role`, `'${r.role}' is not a built-in role the sandbox knows (name or GUID)`);
    const scopeId = scope(r.scope, `${where}.scope`);
    const sub = /^\/subscriptions\/([^/]+)/i.exec(scopeId)?.[1] ?? firstSub;
    const name = nameGuid("role-assignment", principalId, roleGuid, scopeId.toLowerCase());
    return {
      id: `${scopeId === "/" ? "" : scopeId}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      scope: scopeId,
      roleDefinitionId: `${sub ? `/subscriptions/${sub}` : ""}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
      principalId,
      principalType: "ServicePrincipal",
      ...(r.condition !== undefined ? { condition: r.condition, conditionVersion: "2.0" } : {}),
      createdOn: when(r.createdOn, "-1d", `${where}.createdOn`).toISOString(),
    };
  });
  state.denyAssignments = scenario.denyAssignments.map((d, di) => {
    const where = `denyAssignments[${di}]`;
    const scopeId = scope(d.scope, `${where}.scope`);
    const name = nameGuid("deny-assignment", d.name, scopeId.toLowerCase());
    return {
      id: `${scopeId}/providers/Microsoft.Authorization/denyAssignments/${name}`,
      name,
      denyAssignmentName: d.name,
      scope: scopeId,
      principals: d.principals.map((p, pi) => principal(p, `${where}.principals[${pi}]`)),
      excludePrincipals: d.excludePrincipals.map((p, pi) => principal(p, `${where}.excludePrincipals[${pi}]`)),
      permissions: [
        { actions: [...d.actions], notActions: [...d.notActions], dataActions: [...d.dataActions], notDataActions: [...d.notDataActions] },
      ],
    };
  });

  // Kubernetes objects last: their placeholders may name anything above.
  const placeholder = (expr: string, where: Where): string => {
    if (expr === "tenantId") return tenantId;
    const m = /^(identity|app|cluster|vault|storage):([^.]+)\.(\w+)$/.exec(expr);
    if (m) {
      const [, kind, name = "", field] = m;
      if (kind === "vault" && field === "url") return `${opts.urls?.keyVault ?? "https://127.0.0.1:9"}/${vaultNamed(name, where).name}`;
      if (kind === "storage" && field === "blobUrl") return `${opts.urls?.blob ?? "https://127.0.0.1:9"}/${storageNamed(name, where).name}`;
      if (kind === "identity" && (field === "clientId" || field === "principalId" || field === "id"))
        return identityNamed(name, where)[field];
      if (kind === "app" && (field === "appId" || field === "servicePrincipalId")) return appNamed(name, where)[field];
      if (kind === "cluster" && field === "issuerUrl")
        return clusterNamed(name, where).issuerUrl ?? fail(where, `cluster '${name}' has no OIDC issuer`);
    }
    return fail(
      where,
      `unknown placeholder '{{${expr}}}' (tenantId, identity:<n>.clientId|principalId|id, app:<n>.appId|servicePrincipalId, cluster:<n>.issuerUrl, vault:<n>.url, storage:<n>.blobUrl)`,
    );
  };
  const substitute = (value: unknown, where: Where): unknown => {
    if (typeof value === "string") return value.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => placeholder(expr, where));
    if (Array.isArray(value)) return value.map((v, i) => substitute(v, `${where}[${i}]`));
    if (value && typeof value === "object")
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, `${where}.${k}`)]));
    return value;
  };
  subs.forEach((sub, si) =>
    sub.resourceGroups.forEach((g, gi) =>
      g.clusters.forEach((c, ci) => {
        const cluster = clusterNamed(c.name, "clusters");
        cluster.objects = c.objects.map((o, oi) => {
          const where = `subscriptions[${si}].resourceGroups[${gi}].clusters[${ci}].objects[${oi}]`;
          const obj = substitute(structuredClone(o), where) as K8sObject;
          if (typeof obj.kind !== "string" || typeof obj.apiVersion !== "string")
            fail(where, "a Kubernetes object needs apiVersion and kind");
          if (!obj.metadata || typeof obj.metadata.name !== "string") fail(`${where}.metadata.name`, "required");
          return obj;
        });
      }),
    ),
  );
  return state;
}

function splitRef(ref: string): [string, string] {
  const at = ref.indexOf(":");
  if (at < 0 || ref.startsWith("/") || /^https?:/.test(ref)) return ["", ref];
  return [ref.slice(0, at), ref.slice(at + 1)];
}

/**
 * `:no-trailing-slash` / `:trailing-slash` reproduce the classic issuer typo (AKS issuers end with
 * `/`, GitHub's does not; Entra compares the strings exactly).
 */
function applyIssuerModifier(url: string, modifier: string | undefined, where: Where, fail: (w: Where, m: string) => never): string {
  if (modifier === undefined || modifier === "") return url;
  if (modifier === "no-trailing-slash") return url.replace(/\/+$/, "");
  if (modifier === "trailing-slash") return url.endsWith("/") ? url : `${url}/`;
  return fail(where, `unknown issuer modifier ':${modifier}' (no-trailing-slash, trailing-slash)`);
}

/** Items by lower-cased name; the first of equal names wins, as `Array.find` did (names are checked unique anyway). */
function byLowerCaseName<T>(items: readonly T[], nameOf: (item: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    const key = nameOf(item).toLowerCase();
    if (!map.has(key)) map.set(key, item);
  }
  return map;
}
