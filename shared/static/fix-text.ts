/**
 * Fix text with the user's real names: YAML fragments placed at the right path of *their* object
 * (spec.template… for a Deployment, spec.jobTemplate.spec.template… for a CronJob, metadata… for a Pod)
 * and az / kubectl commands. Placeholders in <angle brackets> only for what the manifests cannot know.
 */
import { sh } from "../shell.js";
import { WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "./inventory.js";
import type { WorkloadView } from "./workloads.js";

export const CLIENT_ID_PLACEHOLDER = "<client id of the user-assigned managed identity>";

/** `path` as nested YAML keys with `leaf` lines indented under the last one. */
export function nestedYaml(path: readonly string[], leaf: readonly string[]): string {
  const lines = path.map((key, i) => `${"  ".repeat(i)}${key}:`);
  const indent = "  ".repeat(path.length);
  return [...lines, ...leaf.map((l) => indent + l)].join("\n");
}

/** Human path of the pod template's labels: `spec.template.metadata.labels`. */
export function podLabelsPath(w: WorkloadView): string {
  return [...w.templatePath, "metadata", "labels"].join(".");
}

export function podLabelYaml(w: WorkloadView): string {
  return nestedYaml([...w.templatePath, "metadata", "labels"], [`${WI_USE_LABEL}: "true"`]);
}

export function podServiceAccountYaml(w: WorkloadView, serviceAccount: string): string {
  return nestedYaml([...w.templatePath, "spec"], [`serviceAccountName: ${serviceAccount}`]);
}

/** The ServiceAccount a workload should run as for its own identity: its own, else one named after it (never `default`). */
export function serviceAccountFor(w: Pick<WorkloadView, "serviceAccountExplicit" | "serviceAccountName" | "name">): string {
  return w.serviceAccountExplicit && w.serviceAccountName !== "default" ? w.serviceAccountName : w.name;
}

/** Both halves of Workload Identity for one pod template: the label and the ServiceAccount. */
export function podIdentityYaml(w: WorkloadView, serviceAccount: string): string {
  return nestedYaml(w.templatePath, [
    `metadata:`,
    `  labels:`,
    `    ${WI_USE_LABEL}: "true"`,
    `spec:`,
    `  serviceAccountName: ${serviceAccount}`,
  ]);
}

export function serviceAccountYaml(namespace: string, name: string, clientId: string | undefined): string {
  return [
    "apiVersion: v1",
    "kind: ServiceAccount",
    "metadata:",
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    "  annotations:",
    `    ${WI_CLIENT_ID_ANNOTATION}: "${clientId ?? CLIENT_ID_PLACEHOLDER}"`,
  ].join("\n");
}

export function federatedCredentialCommand(
  namespace: string,
  serviceAccount: string,
  identityName = "<identity-name>",
  resourceGroup = "<resource-group>",
): string {
  return [
    `az identity federated-credential create --name ${sh(`${namespace}-${serviceAccount}`)}`,
    `  --identity-name ${sh(identityName)} --resource-group ${sh(resourceGroup)}`,
    `  --issuer "$(az aks show -g <cluster-resource-group> -n <cluster> --query oidcIssuerProfile.issuerUrl -o tsv)"`,
    `  --subject ${sh(`system:serviceaccount:${namespace}:${serviceAccount}`)} --audiences api://AzureADTokenExchange`,
  ].join(" \\\n");
}
