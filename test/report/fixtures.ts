/** Hand-built findings from the registry (`raise`), including hostile user-controlled names, for the report formats. */
import { raise } from "../../shared/findings/raise.js";
import type { Finding, Report } from "../../shared/findings/model.js";
import { buildReport, runMetadata } from "../../shared/report/build.js";

export const NOW = new Date("2026-03-01T12:00:00.000Z");

/** A namespace an attacker could create in a cluster whose manifests end up in a PR comment. */
export const HOSTILE_NAMESPACE = "</details><img src=x onerror=alert(1)>";

export function brokenFindings(): Finding[] {
  return [
    raise("AG107", {
      target: { kind: "ServiceAccount", namespace: "production", name: "default" },
      location: { file: "k8s/sa.yaml", line: 4 },
      evidence: "ServiceAccount default is annotated azure.workload.identity/client-id",
      fix: "kubectl create serviceaccount --namespace production backend",
    }),
    raise("AG104", {
      target: { kind: "Deployment", namespace: "production", name: "backend" },
      location: { file: "k8s/app.yaml", line: 23 },
      evidence: "pod template labels lack azure.workload.identity/use (the label is on the Deployment's metadata only)",
      fix: 'spec:\n  template:\n    metadata:\n      labels:\n        azure.workload.identity/use: "true"',
    }),
    raise("AG102", {
      target: { kind: "Job", namespace: "production", name: "migrate" },
      location: { file: "k8s/migrate.yaml", line: 41 },
      evidence:
        "container migrate sets AZURE_TENANT_ID and AZURE_CLIENT_ID but no AZURE_CLIENT_SECRET, and the pod has no Workload Identity",
      fix: 'Remove AZURE_TENANT_ID and AZURE_CLIENT_ID from container migrate and run the Job as ServiceAccount backend with the pod label azure.workload.identity/use: "true".',
    }),
    raise("AG209", {
      target: { kind: "azure", name: "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app" },
      evidence: "identity backend-id holds Contributor at resource group rg-app",
      fix: "az role assignment delete --assignee 00000000-0000-0000-0000-000000000001 --role Contributor --scope /subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app",
    }),
    raise("AG212", {
      target: {
        kind: "azure",
        name: "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app/providers/Microsoft.Storage/storageAccounts/stmedia",
      },
      evidence: "Storage Blob Data Contributor was assigned 3 minutes ago",
      fix: "Wait a few minutes and retry the deploy.",
    }),
  ];
}

/** Findings whose user-controlled parts try to break out of every format. */
export function hostileFindings(): Finding[] {
  return [
    raise("AG104", {
      target: { kind: "Deployment", namespace: HOSTILE_NAMESPACE, name: "web|`x`|[click](https://evil.example)" },
      location: { file: "k8s/evil|name.yaml", line: 7 },
      evidence: "hi @octocat **bold** _it_ <script>alert(1)</script> ![img](https://evil.example/x.png) #1",
      fix: "```\n</details>\n<img src=x onerror=alert(2)>\n````\nstill inside the fence",
    }),
  ];
}

export function reportOf(findings: Finding[], extra: Parameters<typeof runMetadata>[1] = {}): Report {
  return buildReport(findings, runMetadata(["static"], { inputs: ["k8s/app.yaml", "k8s/migrate.yaml", "k8s/sa.yaml"], ...extra }, NOW));
}
