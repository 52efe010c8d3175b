/**
 * The findings catalogue as code: the single registry every layer raises findings from and every report
 * format (SARIF rules, `rules` command, README) is generated from. IDs never change meaning once shipped.
 */
import type { Layer, Severity } from "./model.js";

export interface Rule {
  id: RuleId;
  layer: Layer;
  severity: Severity;
  title: string;
  /** When it fires (one sentence, user-facing). */
  description: string;
  /** Why it breaks and how to fix it; concrete fixes with real names are carried by each finding. */
  help: string;
}

/** Written once here; `RuleId` and the per-layer ids are read off this list, so an id not listed is a compile error. */
const rules = [
  // AG1xx — static
  {
    id: "AG101",
    layer: "static",
    severity: "error",
    title: "Credential as a literal in container env",
    description:
      "A container env `value` holds a credential: a variable the Azure SDKs, django-storages or the storage and messaging clients read for a secret (AZURE_CLIENT_SECRET, AZURE_ACCOUNT_KEY, AZURE_STORAGE_CONNECTION_STRING, CLIENT_SECRET…), or a value shaped like one under any name (AccountKey=, SharedAccessKey=, SharedAccessSignature=, sig=, a PEM private key, an Entra client secret).",
    help: "Anyone who can read the manifest (or the Deployment in the cluster) has the credential. Remove the literal, rotate the exposed value, and use Workload Identity (no secret at all) or reference the value from Key Vault (Secrets Store CSI driver or an app-side fetch).",
  },
  {
    id: "AG102",
    layer: "static",
    severity: "error",
    title: "Half-configured EnvironmentCredential",
    description:
      "A container sets some but not all of AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) and has no working Workload Identity. A tenant id alone is configuration (the Workload Identity webhook's own manager sets only that), not a half-set credential.",
    help: "EnvironmentCredential needs tenant, client id and secret together; with two of three it is 'not fully configured', Workload Identity is not injected either, IMDS says 'identity not assigned', and DefaultAzureCredential fails with 'failed to retrieve a token from the included credentials'. Wire Workload Identity (annotated ServiceAccount + pod label) and drop the leftover variables.",
  },
  {
    id: "AG103",
    layer: "static",
    severity: "warning",
    title: "AAD Pod Identity is deprecated",
    description:
      "A pod carries the `aadpodidbinding` label, or AzureIdentity / AzureIdentityBinding / AzurePodIdentityException objects exist.",
    help: 'AAD Pod Identity was deprecated in favour of AKS Workload Identity. Replace the binding with a ServiceAccount annotated `azure.workload.identity/client-id`, the pod label `azure.workload.identity/use: "true"`, and a federated credential on the identity.',
  },
  {
    id: "AG104",
    layer: "static",
    severity: "error",
    title: "Pod template lacks the Workload Identity label",
    description:
      'A pod runs under a ServiceAccount annotated `azure.workload.identity/client-id` but its pod template lacks `azure.workload.identity/use: "true"`.',
    help: 'Since webhook v1.0 the mutating webhook only injects AZURE_FEDERATED_TOKEN_FILE and friends into pods labelled `azure.workload.identity/use: "true"`. The label must be on the pod template (spec.template.metadata.labels), not on the Deployment\'s own metadata.',
  },
  {
    id: "AG105",
    layer: "static",
    severity: "error",
    title: "Workload Identity label without a client id",
    description:
      "A pod template is labelled for Workload Identity but its ServiceAccount has no `azure.workload.identity/client-id` annotation and no container sets AZURE_CLIENT_ID.",
    help: "The webhook cannot tell which identity to federate. Annotate the ServiceAccount with the user-assigned identity's client id.",
  },
  {
    id: "AG106",
    layer: "static",
    severity: "warning",
    title: "ServiceAccount not defined in the manifests",
    description: "A pod references a `serviceAccountName` that no manifest defines.",
    help: "Offline checks cannot see its annotations. Include the ServiceAccount in the manifests you check, or run the gate against the cluster.",
  },
  {
    id: "AG107",
    layer: "static",
    severity: "warning",
    title: "Workload Identity on the default ServiceAccount",
    description: "Workload Identity is bound to the namespace's `default` ServiceAccount.",
    help: "Every pod in the namespace that does not name a ServiceAccount would get the identity. Create a dedicated ServiceAccount for the workload.",
  },
  {
    id: "AG108",
    layer: "static",
    severity: "warning",
    title: "Service-principal secret from a Kubernetes Secret",
    description:
      "A client secret (AZURE_CLIENT_SECRET, or CLIENT_SECRET as AAD Pod Identity's MIC reads it), an account key, connection string or SAS reaches the pod from a Kubernetes Secret.",
    help: "Kubernetes Secrets are base64, not encryption, and the secret must be rotated by hand. Prefer Workload Identity (no secret) or the Key Vault Secrets Store CSI driver.",
  },
  {
    id: "AG109",
    layer: "static",
    severity: "error",
    title: "AZURE_CLIENT_ID differs from the ServiceAccount's client id",
    description: "A container's AZURE_CLIENT_ID differs from its ServiceAccount's `azure.workload.identity/client-id`.",
    help: "The SDK requests a token for the container's AZURE_CLIENT_ID, but the projected token is federated only with the ServiceAccount's identity: Entra answers AADSTS70021/700213. Make them equal (or remove the container's variable and let the webhook inject it).",
  },
  {
    id: "AG110",
    layer: "static",
    severity: "error",
    title: "Migration workload lacks the app's identity",
    description:
      "The workload that runs `manage.py migrate` (Job, CronJob, initContainer or Helm/Argo hook) has no working identity while the app it migrates does.",
    help: 'Django initialises its storage backends during `migrate`, so the migration pod needs the same identity as the app: the same ServiceAccount, the pod label `azure.workload.identity/use: "true"`, and the same client id.',
  },
  {
    id: "AG111",
    layer: "static",
    severity: "error",
    title: "Credential in a ConfigMap",
    description: "A ConfigMap `data` key or value looks like a credential.",
    help: "ConfigMaps are plain text and widely readable. Move the value to Key Vault, rotate it, and use Workload Identity.",
  },
  {
    id: "AG112",
    layer: "static",
    severity: "warning",
    title: "Service-principal secret overrides Workload Identity",
    description: "A pod uses Workload Identity and also receives a full service-principal secret set.",
    help: "EnvironmentCredential runs before WorkloadIdentityCredential in DefaultAzureCredential, so the secret silently wins and the pod runs as the service principal. Remove AZURE_CLIENT_SECRET (and the secret) from the pod.",
  },
  // AG2xx — control plane
  {
    id: "AG201",
    layer: "control-plane",
    severity: "error",
    title: "No identity has the ServiceAccount's client id",
    description: "No user-assigned managed identity or app registration has the client id the ServiceAccount names.",
    help: "Entra answers AADSTS700016 (application not found). Put the identity's clientId (not its principalId or resource id) in `azure.workload.identity/client-id`, or create the identity.",
  },
  {
    id: "AG202",
    layer: "control-plane",
    severity: "error",
    title: "Cluster has no OIDC issuer or Workload Identity disabled",
    description: "The AKS cluster has no OIDC issuer, or Workload Identity is not enabled on it.",
    help: "Enable both: `az aks update -g RG -n CLUSTER --enable-oidc-issuer --enable-workload-identity`.",
  },
  {
    id: "AG203",
    layer: "control-plane",
    severity: "error",
    title: "No federated credential for the cluster and ServiceAccount",
    description: "The identity has no federated identity credential for the cluster's issuer and the pod's subject.",
    help: "Create one: `az identity federated-credential create --identity-name ID -g RG --name NAME --issuer ISSUER --subject system:serviceaccount:NS:SA --audiences api://AzureADTokenExchange`.",
  },
  {
    id: "AG204",
    layer: "control-plane",
    severity: "error",
    title: "Federated credential subject names another ServiceAccount",
    description: "A federated credential exists for the issuer but its subject names another namespace or ServiceAccount.",
    help: "Entra compares the subject exactly and case-sensitively (AADSTS700213 / AADSTS7002138). The subject must be `system:serviceaccount:<namespace>:<serviceaccount>` of the pod that runs.",
  },
  {
    id: "AG205",
    layer: "control-plane",
    severity: "error",
    title: "Federated credential issuer differs from the cluster's",
    description: "A federated credential's issuer differs from the cluster's OIDC issuer URL (trailing slash, case, or another cluster).",
    help: "Copy the issuer exactly from `az aks show --query oidcIssuerProfile.issuerUrl -o tsv` (AKS issuers end with `/`).",
  },
  {
    id: "AG206",
    layer: "control-plane",
    severity: "error",
    title: "Federated credential audience is wrong",
    description: "A federated credential's audience is not `api://AzureADTokenExchange`.",
    help: "The projected ServiceAccount token is minted for `api://AzureADTokenExchange`; set the credential's audiences to exactly that.",
  },
  {
    id: "AG207",
    layer: "control-plane",
    severity: "error",
    title: "Identity lacks the Blob data role",
    description: "The identity's effective permissions at the container's scope lack the Blob data action the target needs.",
    help: "Control-plane roles (Owner, Contributor) do not grant data access. Assign Storage Blob Data Reader (read) or Contributor (write) at the narrowest scope that covers the container.",
  },
  {
    id: "AG208",
    layer: "control-plane",
    severity: "error",
    title: "Identity cannot read the Key Vault secrets",
    description:
      "RBAC vault without `secrets/getSecret/action` at the secret's scope, or access-policy vault without `get` for the identity.",
    help: "Assign Key Vault Secrets User on the vault (RBAC vaults), or add an access policy with secret permission `get` (access-policy vaults).",
  },
  {
    id: "AG209",
    layer: "control-plane",
    severity: "warning",
    title: "Over-broad role",
    description:
      "The identity holds Owner, Contributor, User Access Administrator or a `*` action at subscription or resource-group scope.",
    help: "A pod identity needs data-plane roles on its resources only. Remove the broad assignment.",
  },
  {
    id: "AG210",
    layer: "control-plane",
    severity: "error",
    title: "Deny assignment removes a needed data action",
    description: "A deny assignment removes a data action the target needs.",
    help: "Deny assignments win over role assignments. Exclude the identity from the deny assignment (or its managing blueprint / managed application) or change the target.",
  },
  {
    id: "AG211",
    layer: "control-plane",
    severity: "warning",
    title: "Network access may block the pod",
    description:
      "The storage account or vault refuses public network access or has a default-deny firewall with no rule, private endpoint or trusted-service path that covers the cluster.",
    help: "Add a virtual-network rule for the cluster's subnet, a private endpoint, or an IP rule for its egress; the live probe confirms.",
  },
  {
    id: "AG212",
    layer: "control-plane",
    severity: "info",
    title: "Role assignment is very recent",
    description: "A needed role assignment was created in the last 10 minutes.",
    help: "Azure RBAC changes can take several minutes to propagate; retry the deploy if the probe is refused.",
  },
  {
    id: "AG213",
    layer: "control-plane",
    severity: "error",
    title: "Key Vault secret missing, disabled or expired",
    description: "A needed Key Vault secret is missing, disabled, or expired.",
    help: "Create the secret, enable it, or set a later expiry (`az keyvault secret set-attributes`).",
  },
  {
    id: "AG214",
    layer: "control-plane",
    severity: "error",
    title: "Blob container does not exist",
    description: "A needed Blob container does not exist.",
    help: "Create it (`az storage container create --auth-mode login`) or fix the name in the configuration.",
  },
  {
    id: "AG215",
    layer: "control-plane",
    severity: "warning",
    title: "Access depends on an ABAC condition",
    description: "A role assignment that grants a needed data action carries an ABAC `condition`.",
    help: "The control plane cannot evaluate the condition's attributes; run the live probe (`--probe`) to decide.",
  },
  {
    id: "AG216",
    layer: "control-plane",
    severity: "error",
    title: "ServiceAccount names no client id",
    description:
      "A target's ServiceAccount has no `azure.workload.identity/client-id` annotation and the config sets no `clientId`: there is no identity to prove.",
    help: "The webhook cannot tell which identity to federate, so the pod gets no token. Annotate the ServiceAccount with the user-assigned identity's client id (or set `clientId` on the target).",
  },
  // AG3xx — data plane
  {
    id: "AG301",
    layer: "data-plane",
    severity: "error",
    title: "Pod identity cannot get a token",
    description: "The live probe, running as the pod, could not obtain a token.",
    help: "The evidence carries the AADSTS code and its meaning; fix the federation chain (issuer, subject, audience, client id).",
  },
  {
    id: "AG302",
    layer: "data-plane",
    severity: "error",
    title: "Blob probe refused",
    description:
      "The live Blob probe was refused (HTTP status and error code shown): listing or reading the container, or, for `access: write`, creating the probe's marker blob (`.azure-auth-gate/probe-<run>`, deleted straight after).",
    help: "403 AuthorizationPermissionMismatch means a missing data role (or an ABAC condition that denies the operation, e.g. read allowed and write denied); 403 AuthorizationFailure often means the firewall. A marker the identity could write but not delete is reported as a warning with the command to delete it.",
  },
  {
    id: "AG303",
    layer: "data-plane",
    severity: "error",
    title: "Key Vault probe refused",
    description: "The live Key Vault probe was refused (HTTP status and error code shown).",
    help: "403 Forbidden means a missing role or access policy; ForbiddenByFirewall means network rules.",
  },
  {
    id: "AG304",
    layer: "data-plane",
    severity: "error",
    title: "Probe could not run",
    description: "The probe Job was not scheduled, its image could not be pulled, or it timed out.",
    help: "A probe that did not run is never a pass. Check the Job's events (`kubectl describe job`) and the image name.",
  },
  // AG4xx — sweep and rotation
  {
    id: "AG401",
    layer: "sweep",
    severity: "warning",
    title: "Service principal still has a client secret",
    description: "An app registration / service principal in scope still has a client secret.",
    help: "Prefer federated credentials (no secret). If the secret must stay, let the Function rotate it into Key Vault.",
  },
  {
    id: "AG402",
    layer: "sweep",
    severity: "warning",
    title: "Client secret expires soon",
    description: "A client secret expires within the configured window (default 30 days).",
    help: "Rotate it before it expires (opt the app in to rotation).",
  },
  {
    id: "AG403",
    layer: "sweep",
    severity: "error",
    title: "Client secret expired or too old",
    description: "A client secret has expired, or is older than the configured maximum age.",
    help: "Consumers get AADSTS7000222. Rotate now.",
  },
  {
    id: "AG404",
    layer: "sweep",
    severity: "info",
    title: "Client secret rotated into Key Vault",
    description: "A client secret was rotated into Key Vault (new key id, vault, secret name and version; never the value).",
    help: "Nothing to do; the old credential is removed after the overlap window.",
  },
  {
    id: "AG405",
    layer: "sweep",
    severity: "error",
    title: "Rotation step failed",
    description: "A rotation step failed; the evidence names the step and the state left behind.",
    help: "The next run resumes the rotation; at least one credential keeps working.",
  },
  {
    id: "AG406",
    layer: "sweep",
    severity: "warning",
    title: "Binding changed since the last sweep",
    description: "A federated credential, role assignment or ServiceAccount was added or removed since the last sweep.",
    help: "Review the change; if it was intended, nothing to do.",
  },
  {
    id: "AG407",
    layer: "sweep",
    severity: "error",
    title: "Rotation stopped: its lock was lost",
    description:
      "The lease on an app's rotation lock could not be renewed, so another run may be rotating the same app; the run stopped before its next write.",
    help: "Nothing to undo: the next run resumes from Graph and Key Vault. Check the Function's access to its own Blob storage.",
  },
  // AG5xx — the gate's own login
  {
    id: "AG501",
    layer: "login",
    severity: "error",
    title: "No GitHub ID token",
    description: "No GitHub ID token can be requested (workflow lacks `permissions: id-token: write`, or a fork PR).",
    help: "Add `permissions: { id-token: write, contents: read }` to the job. Fork PRs never get an ID token; run the gate in static mode there.",
  },
  {
    id: "AG502",
    layer: "login",
    severity: "error",
    title: "Entra ID refuses the GitHub token",
    description:
      "Entra ID refuses the GitHub token; the evidence shows the token's `sub` and the federated credential subject that would match.",
    help: "Create a federated credential on the gate's identity with exactly the token's subject (environment, pull_request, branch or immutable-ID form).",
  },
  {
    id: "AG503",
    layer: "login",
    severity: "error",
    title: "Probe refused on a pull request",
    description:
      "`mode: probe` on a pull-request event without the workflow input `probe-on-pull-request: true`: the live probe was not run.",
    help: "A pull request chooses the config and manifests, so the probe (which runs as the production identity) is off there. Probe in the deploy job behind a protected environment, use `mode: azure` on pull requests, or set `probe-on-pull-request: true` for same-repository pull requests you trust. Never a pass; the config cannot waive or re-rate it.",
  },
] as const satisfies readonly (Omit<Rule, "id"> & { id: `AG${number}` })[];

/** Every finding id the catalogue defines: `raise("AG2O3", …)` (a typo) does not compile. */
export type RuleId = (typeof rules)[number]["id"];

/** The ids of one layer's rules: a layer's registry is keyed by these, so a catalogued rule without an implementation does not compile. */
export type RuleIdOf<L extends Layer> = Extract<(typeof rules)[number], { layer: L }>["id"];

export const CATALOGUE: ReadonlyMap<RuleId, Rule> = new Map(rules.map((r): [RuleId, Rule] => [r.id, r]));

/** For ids read from input (config waivers and severity overrides): narrows a string to a RuleId. */
export function isRuleId(id: string): id is RuleId {
  return CATALOGUE.has(id as RuleId);
}

export function ruleFor(id: RuleId): Rule {
  const rule = CATALOGUE.get(id);
  if (!rule) throw new Error(`unknown finding id ${id}`);
  return rule;
}

export function allRules(): Rule[] {
  return [...CATALOGUE.values()];
}
