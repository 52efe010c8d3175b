/** AG110 (shared/static/rules/ag110.ts): the migration workload lacks the identity of the app it migrates. */
import { describe, expect, it } from "vitest";
import { CLIENT_ID as CID, MIGRATED_APP as APP, check, only } from "../helpers.js";

describe("AG110 migration workload lacks the app's identity", () => {
  it("fires for a Helm hook Job running as default without the label, at the label position", () => {
    const found = check(`${APP}
      apiVersion: batch/v1
      kind: Job
      metadata:
        name: shop-migrate
        namespace: shop
        annotations:
          helm.sh/hook: pre-install,pre-upgrade
      spec:
        template:
          metadata:
            labels:
              app.kubernetes.io/instance: shop
          spec:
            restartPolicy: Never
            containers:
              - name: migrate
                image: registry.example.com/shop:1.0
                command: ["python", "manage.py", "migrate", "--noinput"]
    `);
    expect(found.map((f) => [f.id, f.target.name, f.location?.line])).toEqual([["AG110", "shop-migrate", 38]]);
    const [f] = found;
    expect(f?.severity).toBe("error");
    expect(f?.evidence).toBe(
      `Job shop/shop-migrate runs \`manage.py migrate\` (container migrate, Helm hook pre-install,pre-upgrade) without the identity of Deployment shop/web (ServiceAccount web, client id ${CID}): its pod template has no label azure.workload.identity/use: "true"; it runs as ServiceAccount default (no serviceAccountName: the namespace's default), not web. Django initialises its storage backends during migrate, so it fails with "DefaultAzureCredential failed to retrieve a token from the included credentials" while the app works`,
    );
    expect(f?.fix).toContain(
      [
        "spec:",
        "  template:",
        "    metadata:",
        "      labels:",
        '        azure.workload.identity/use: "true"',
        "    spec:",
        "      serviceAccountName: web",
      ].join("\n"),
    );
  });

  it("fires for a CronJob under another, unannotated ServiceAccount even with the label (at serviceAccountName)", () => {
    const found = check(`${APP}
      apiVersion: v1
      kind: ServiceAccount
      metadata: {name: migrator, namespace: shop}
      ---
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: nightly-migrate, namespace: shop}
      spec:
        schedule: "0 2 * * *"
        jobTemplate:
          spec:
            template:
              metadata:
                labels: {azure.workload.identity/use: "true"}
              spec:
                serviceAccountName: migrator
                containers:
                  - name: migrate
                    image: registry.example.com/shop:1.0
                    args: ["sh", "-c", "python3 manage.py migrate"]
    `);
    const f = only(found, "AG110");
    expect(f.map((x) => x.location?.line)).toEqual([43]);
    expect(f[0]?.evidence).toContain("it runs as ServiceAccount migrator (no azure.workload.identity/client-id annotation), not web");
    expect(f[0]?.fix).toContain(["spec:", "  jobTemplate:", "    spec:", "      template:"].join("\n"));
  });

  it("fires for a migrate initContainer whose own AZURE_CLIENT_ID names another identity", () => {
    const found = check(`${APP}
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api, namespace: shop}
      spec:
        template:
          metadata:
            labels: {azure.workload.identity/use: "true"}
          spec:
            serviceAccountName: web
            initContainers:
              - name: migrate
                image: registry.example.com/shop-api:2.0
                command: ["python", "manage.py", "migrate"]
                env:
                  - name: AZURE_CLIENT_ID
                    value: 155e997f-5471-4fab-b75c-280a807716da
            containers:
              - name: api
                image: registry.example.com/shop-api:2.0
    `);
    const f = only(found, "AG110");
    expect(f.map((x) => [x.target.name, x.location?.line])).toEqual([["api", 43]]);
    expect(f[0]?.evidence).toContain("(initContainer migrate)");
    expect(f[0]?.evidence).toContain(
      `container migrate authenticates as client id 155e997f-5471-4fab-b75c-280a807716da (its own AZURE_CLIENT_ID), not the app's ${CID}`,
    );
  });

  it("stays quiet when the migration has the app's identity, or when no app has a working identity", () => {
    expect(
      check(`${APP}
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: shop-migrate
          namespace: shop
          annotations: {argocd.argoproj.io/hook: PreSync}
        spec:
          template:
            metadata:
              labels: {azure.workload.identity/use: "true"}
            spec:
              serviceAccountName: web
              containers: [{name: migrate, image: "registry.example.com/shop:1.0", command: [python, manage.py, migrate]}]
      `),
    ).toEqual([]);
    expect(
      only(
        check(`
          apiVersion: apps/v1
          kind: Deployment
          metadata: {name: web, namespace: shop}
          spec:
            template:
              spec:
                containers: [{name: web, image: "shop:1"}]
          ---
          apiVersion: batch/v1
          kind: Job
          metadata: {name: migrate, namespace: shop}
          spec:
            template:
              spec:
                containers: [{name: migrate, image: "shop:1", command: [python, manage.py, migrate]}]
        `),
        "AG110",
      ),
    ).toEqual([]);
  });

  it("compares against the app in the migration's own namespace only", () => {
    const found = check(`${APP}
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate, namespace: other}
      spec:
        template:
          spec:
            containers: [{name: migrate, image: "registry.example.com/shop:1.0", command: [python, manage.py, migrate]}]
    `);
    expect(only(found, "AG110")).toEqual([]);
  });
});
