/** Recognising migration workloads (shared/static/migration.ts): Jobs, CronJobs, initContainers, Helm/Argo hooks. */
import { describe, expect, it } from "vitest";
import { runsMigrations } from "../../shared/static/migration.js";
import { listWorkloads } from "../../shared/static/index.js";
import { MIGRATED_APP as APP, parse } from "./helpers.js";

describe("recognising migrations", () => {
  it.each([
    [["python", "manage.py", "migrate"], []],
    [["python3", "manage.py", "migrate", "--noinput"], []],
    [["/bin/sh", "-c"], ["python manage.py migrate --noinput && gunicorn shop.wsgi"]],
    [["sh", "-c", "cd /app; python manage.py --settings=shop.settings.prod migrate"], []],
    [["django-admin", "migrate", "--database", "default"], []],
    [["python", "-m", "django", "migrate"], []],
    [["python"], ["manage.py", "migrate"]],
  ])("%j %j runs migrations", (command, args) => {
    expect(runsMigrations(command, args)).toBe(true);
  });

  it.each([
    [["python", "manage.py", "makemigrations", "--check"]],
    [["python", "manage.py", "showmigrations"]],
    [["gunicorn", "shop.wsgi"]],
    [["sh", "-c", "python manage.py collectstatic && echo migrate"]],
  ])("%j does not", (command) => {
    expect(runsMigrations(command, [])).toBe(false);
  });

  it("lists hook Jobs as migrations, not apps, with their images", () => {
    const [, job] = listWorkloads(
      parse(`${APP}
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: migrate
          namespace: shop
          annotations: {argocd.argoproj.io/hook: PreSync}
        spec:
          template:
            spec:
              containers: [{name: migrate, image: "registry.example.com/shop:1.0", command: [python, manage.py, migrate]}]
      `),
    );
    expect(job).toMatchObject({
      kind: "Job",
      isApp: false,
      isMigration: true,
      hook: { tool: "argocd", phases: ["PreSync"] },
      images: ["registry.example.com/shop:1.0"],
    });
  });
});
