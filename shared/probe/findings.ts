/**
 * Turns what the probe saw into AG3xx findings: AG301 (no token, with the AADSTS code and its
 * meaning), AG302 (Blob refused), AG303 (Key Vault refused), AG304 (the probe did not run or gave no
 * result). AG304 is marked "could not verify", so no severity override can turn it into a pass.
 * Evidence is built only from statuses, codes and SDK messages: the probe never prints secret values.
 */
import { markUnverified, subjectOf, workloadTarget } from "../azure/rules/common.js";
import { sh } from "../shell.js";
import type { ResolvedTarget } from "../azure/facts/types.js";
import { raise } from "../findings/raise.js";
import type { Finding } from "../findings/model.js";
import { explainAadsts } from "./aadsts.js";
import type { BlobResult, KeyVaultResult, ProbeResult } from "./result.js";
import type { NotRunReason } from "./run-job.js";

function base(target: ResolvedTarget) {
  return { target: workloadTarget(target), ...(target.location ? { location: target.location } : {}) };
}

export function notRun(target: ResolvedTarget, evidence: string, fix: string): Finding {
  return markUnverified(raise("AG304", { ...base(target), evidence: `the probe did not produce a result: ${evidence}`, fix }));
}

const NOT_RUN_FIX: Record<NotRunReason, (t: ResolvedTarget, image: string) => string> = {
  "create-refused": (t) =>
    `Let the gate's Kubernetes identity create and delete Jobs in '${t.namespace}': \`kubectl create role azure-auth-gate-probe -n ${sh(t.namespace)} --verb=create,get,list,delete --resource=jobs,pods,pods/log,events\` and bind it to the gate's user.`,
  "not-created": (t) =>
    `Make the pod creatable: check that ServiceAccount '${t.serviceAccount}' exists in '${t.namespace}' (\`kubectl get serviceaccount ${sh(t.serviceAccount)} -n ${sh(t.namespace)}\`) and that no quota or admission policy refuses the probe Job.`,
  "image-pull": (_t, image) =>
    `Make the image pullable from the cluster (\`kubectl describe pod\` shows the pull error), or set \`probe.image\` in azure-auth-gate.yml to an image the cluster can pull that has the app's Azure SDK; the gate tried '${image}'.`,
  "container-config": () => "Fix the container configuration the kubelet refused (see the evidence), then re-run with --probe.",
  "not-scheduled": () =>
    "The cluster has no room or no matching node for the probe pod (`kubectl describe pod` shows why); free capacity or raise `probe.timeoutSeconds`.",
  timeout: () =>
    "The probe did not finish in time: raise `probe.timeoutSeconds`, or check the pod's events and log (`kubectl describe pod`, `kubectl logs`).",
  cancelled: () => "The run was cancelled; re-run the gate with --probe.",
  "job-failed": () => "Check the probe Job's events (`kubectl describe job`), then re-run with --probe.",
  "log-unreadable": () => "Let the gate's Kubernetes identity read pod logs (`pods/log` get) in the namespace, then re-run with --probe.",
};

export function notRunFinding(target: ResolvedTarget, reason: NotRunReason, detail: string, image: string): Finding {
  return notRun(target, detail, NOT_RUN_FIX[reason](target, image));
}

function findIdentity(clientId: string): string {
  return `az identity list --query ${sh(`[?clientId=='${clientId}'].{name:name, group:resourceGroup}`)} -o tsv`;
}

function tokenFinding(target: ResolvedTarget, result: ProbeResult): Finding {
  const token = result.token;
  const message = token?.message ?? "";
  const clientId = result.identity?.clientId ?? target.clientId ?? "<client-id>";
  const assertion = result.identity?.assertion;
  const iss = typeof assertion?.iss === "string" ? assertion.iss : undefined;
  const sub = typeof assertion?.sub === "string" ? assertion.sub : subjectOf(target);
  const presented = iss ? ` The pod presented issuer '${iss}' and subject '${sub}'.` : "";
  if (token?.name === "NotInjected") {
    return raise("AG301", {
      ...base(target),
      evidence: `${message}. The probe pod carried the label azure.workload.identity/use: "true" and ran as ServiceAccount '${target.serviceAccount}'.`,
      fix: `Annotate the ServiceAccount with the identity's client id and make sure the Workload Identity webhook runs on the cluster: \`kubectl annotate serviceaccount ${sh(target.serviceAccount)} -n ${sh(target.namespace)} ${sh(`azure.workload.identity/client-id=${target.clientId ?? "<client-id>"}`)}\`; \`az aks update --enable-workload-identity --enable-oidc-issuer\` installs the webhook.`,
    });
  }
  const aadsts = explainAadsts(message);
  const evidence = aadsts
    ? `${aadsts.code}: ${aadsts.meaning} — ${aadsts.check}.${presented} (${token?.name ?? "error"}: ${message})`
    : `the token request failed: ${token?.name ?? "error"}: ${message || "no message"}.${presented}`;
  const fix = aadsts?.federation
    ? `Create a federated credential matching what the pod presents: find the identity with \`${findIdentity(clientId)}\`, then \`az identity federated-credential create --name ${sh(`${target.namespace}-${target.serviceAccount}`)} --identity-name <name> --resource-group <group> --issuer ${sh(iss ?? "<the cluster's OIDC issuer URL>")} --subject ${sh(sub)} --audiences api://AzureADTokenExchange\`.`
    : aadsts
      ? `${aadsts.check[0]?.toUpperCase() ?? ""}${aadsts.check.slice(1)}; the pod used client id ${clientId} in tenant ${result.identity?.tenantId ?? "<tenant>"}.`
      : "Read the error above; check the ServiceAccount's client-id annotation, the identity's federated credentials and the cluster's OIDC issuer.";
  return raise("AG301", { ...base(target), evidence, fix });
}

function refusalText(r: {
  status?: number | null;
  code?: string | null;
  innerCode?: string | null;
  message?: string | null;
  name?: string | null;
}): string {
  const head = [
    r.status != null ? `HTTP ${r.status}` : undefined,
    r.code ?? undefined,
    r.innerCode && r.innerCode !== r.code ? `(${r.innerCode})` : undefined,
  ]
    .filter(Boolean)
    .join(" ");
  const message = r.message ? `: ${r.message.slice(0, 300)}` : "";
  return `${head || r.name || "error"}${message}`;
}

function blobFix(target: ResolvedTarget, r: BlobResult): string {
  const who = sh(target.clientId ?? "<client-id>");
  // The substitution stays in double quotes; the container name is its own quoted word right after it.
  const scope = `"$(az storage account show --name ${sh(r.account)} --query id -o tsv)"${sh(`/blobServices/default/containers/${r.container}`)}`;
  if (
    r.operation === "write" &&
    (r.code === "AuthorizationPermissionMismatch" ||
      (r.code === "AuthorizationFailure" && r.status === 403 && /condition/i.test(r.message ?? "")))
  ) {
    return `The identity may read but not write: grant a Blob data role that writes (or relax the ABAC condition that denies it): \`az role assignment create --assignee ${who} --role "Storage Blob Data Contributor" --scope ${scope}\`.`;
  }
  if (r.code === "AuthorizationPermissionMismatch")
    return `Grant the identity a Blob data role on the container: \`az role assignment create --assignee ${who} --role "Storage Blob Data Reader" --scope ${scope}\` (use "Storage Blob Data Contributor" when the app writes).`;
  if (r.code === "AuthorizationFailure" || r.code === "AuthorizationSourceIPMismatch")
    return `The storage firewall refused the cluster: allow the cluster's node subnet or egress IP, e.g. \`az storage account network-rule add --account-name ${sh(r.account)} --subnet <node-subnet-id>\`.`;
  if (r.code === "ContainerNotFound")
    return `Create the container: \`az storage container create --account-name ${sh(r.account)} --name ${sh(r.container)} --auth-mode login\`.`;
  if (r.status === 401)
    return "Storage did not accept the pod's token (audience or cloud mismatch): check the cloud profile and the storage scope the app requests.";
  return `Check the storage account '${r.account}' and the identity's data roles on container '${r.container}'.`;
}

function vaultFix(target: ResolvedTarget, r: KeyVaultResult): string {
  const who = sh(target.clientId ?? "<client-id>");
  const secret = r.secret ?? "";
  const code = r.innerCode ?? r.code ?? "";
  if (code === "ForbiddenByRbac")
    return `Grant the identity Key Vault Secrets User: \`az role assignment create --assignee ${who} --role "Key Vault Secrets User" --scope "$(az keyvault show --name ${sh(r.vault)} --query id -o tsv)"${secret ? sh(`/secrets/${secret}`) : ""}\`.`;
  if (code === "ForbiddenByPolicy")
    return `Give the identity an access policy: \`az keyvault set-policy --name ${sh(r.vault)} --spn ${who} --secret-permissions ${r.operation === "list" ? "get list" : "get"}\`.`;
  if (code === "ForbiddenByFirewall" || code === "ForbiddenByConnection")
    return `The vault's firewall refused the cluster: \`az keyvault network-rule add --name ${sh(r.vault)} --subnet <node-subnet-id>\` (or allow its egress IP / a private endpoint).`;
  if (code === "SecretNotFound")
    return `Create the secret: \`az keyvault secret set --vault-name ${sh(r.vault)} --name ${sh(secret)} --file <file-with-the-value>\`.`;
  if (code === "SecretDisabled")
    return `Enable the secret: \`az keyvault secret set-attributes --vault-name ${sh(r.vault)} --name ${sh(secret)} --enabled true\`.`;
  return `Check vault '${r.vault}' and the identity's access to it.`;
}

/** AG301–AG303 from a parsed result line (AG304 for a setup failure inside the image). */
export function resultFindings(target: ResolvedTarget, result: ProbeResult, image: string): Finding[] {
  if (result.setup && !result.setup.ok) {
    return [
      notRun(
        target,
        `the probe program could not run in image '${image}': ${result.setup.message}`,
        "Use an image that ships the app's Azure SDK (set `probe.image`, and `probe.runtime` when the image name does not tell).",
      ),
    ];
  }
  if (!result.token)
    return [
      notRun(
        target,
        "the result line has no token outcome",
        "The probe image must run the gate's probe unchanged: check `probe.image` and its interpreter.",
      ),
    ];
  if (!result.token.ok) return [tokenFinding(target, result)];
  const findings: Finding[] = [];
  for (const r of result.blob.filter((b) => !b.ok)) {
    const what =
      r.operation === "write"
        ? `writing marker blob '${r.marker ?? ""}' to container '${r.container}'`
        : `listing container '${r.container}'`;
    findings.push(
      raise("AG302", {
        ...base(target),
        evidence: `${what} in storage account '${r.account}' as the pod's identity: ${refusalText(r)}`,
        fix: blobFix(target, r),
      }),
    );
  }
  for (const r of result.blob.filter((b) => b.ok && b.operation === "write" && b.cleaned === false)) {
    // Writing works (what the app needs); the gate only failed to clean up after itself: say so, do not block.
    findings.push({
      ...raise("AG302", {
        ...base(target),
        evidence: `the probe wrote marker blob '${r.marker ?? ""}' to container '${r.container}' in storage account '${r.account}' but could not delete it: ${r.cleanup ? refusalText(r.cleanup) : "error"}`,
        fix: `Delete the marker: \`az storage blob delete --account-name ${sh(r.account)} --container-name ${sh(r.container)} --name ${sh(r.marker ?? "<marker>")} --auth-mode login\` (the identity lacks …/blobs/delete, which the write check does not need).`,
      }),
      severity: "warning",
    });
  }
  for (const r of result.keyVault.filter((k) => !k.ok)) {
    const what = r.operation === "list" ? "listing secret properties" : `reading secret '${r.secret ?? ""}'`;
    findings.push(
      raise("AG303", {
        ...base(target),
        evidence: `${what} in vault '${r.vault}' as the pod's identity: ${refusalText(r)}`,
        fix: vaultFix(target, r),
      }),
    );
  }
  return findings;
}
