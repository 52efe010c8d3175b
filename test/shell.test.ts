/**
 * Printed commands are pasted into a shell: every interpolated name must arrive as exactly one
 * argument and run nothing. Checked with a real bash — the command's programs (az, kubectl, npx) are
 * shell functions that print their arguments, so nothing real runs, and a hostile name that escaped
 * its quoting would create the marker file.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { aksUpdateCommand, annotateClientIdCommand, ficCommand, roleAssignmentCommand } from "../shared/azure/rules/fix-commands.js";
import { NPX_COMMAND, sh, substitution } from "../shared/shell.js";
import { federatedCredentialCommand } from "../shared/static/fix-text.js";
import pkg from "../package.json" with { type: "json" };
import { check, inputError, only } from "./static/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "aag-shell-"));
const marker = join(dir, "pwned");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Names an attacker can put in a manifest, a config or an Azure resource; each tries to create `marker`. */
const HOSTILE = [
  `x;touch ${marker}|sh;#`,
  `$(touch ${marker})`,
  `\`touch ${marker}\``,
  `it's'; touch ${marker}; echo '`,
  `a b" ; touch ${marker} ; "`,
  `x\ntouch ${marker}`,
  `*`,
  `--help`,
  "",
];

/** The arguments bash passes to the command's programs, one per element. */
function argsOf(command: string): string[][] {
  const script = `out() { printf '%s\\0' "$@"; printf '\\1'; }; az() { out "$@"; }; kubectl() { out "$@"; }; npx() { out "$@"; }\n${command}\n`;
  const printed = execFileSync("bash", ["-c", script], { cwd: dir, encoding: "utf8" });
  return printed
    .split("\u0001")
    .filter((p) => p !== "")
    .map((p) => p.split("\u0000").slice(0, -1));
}

describe("sh: one helper for every interpolated name", () => {
  it.each(HOSTILE.map((v) => [JSON.stringify(v), v]))("%s is one argument and runs nothing", (_label, value) => {
    const [args] = argsOf(`kubectl get serviceaccount ${sh(value)} -n default`);
    expect(args).toEqual(["get", "serviceaccount", value, "-n", "default"]);
    expect(existsSync(marker)).toBe(false);
  });

  it("plain names stay readable; placeholders are quoted, not redirections", () => {
    expect(sh("backend-sa")).toBe("backend-sa");
    expect(sh("/subscriptions/0000/resourceGroups/rg")).toBe("/subscriptions/0000/resourceGroups/rg");
    expect(sh("<resource-group>")).toBe("'<resource-group>'");
    expect(argsOf(`az group show --name ${sh("<resource-group>")}`)[0]).toEqual(["group", "show", "--name", "<resource-group>"]);
  });

  it("a substitution the gate wrote runs, and its own names are quoted", () => {
    const cmd = annotateClientIdCommand("prod", "api", substitution(`printf %s ${sh(HOSTILE[0]!)}`));
    expect(argsOf(cmd)).toEqual([
      ["annotate", "serviceaccount", "--namespace", "prod", "api", `azure.workload.identity/client-id=${HOSTILE[0]}`, "--overwrite"],
    ]);
    expect(existsSync(marker)).toBe(false);
  });

  it.each(HOSTILE.filter((v) => v !== "").map((v) => [JSON.stringify(v), v]))(
    "the command builders pass %s as one argument",
    (_label, value) => {
      const calls = [
        ...argsOf(federatedCredentialCommand(value, value, value, value)),
        ...argsOf(
          ficCommand(
            { kind: "managedIdentity", name: value, id: value, clientId: value, resourceGroup: value, subscriptionId: value },
            { name: value, issuer: value, subject: value, audience: value },
          ),
        ),
        ...argsOf(
          ficCommand(
            { kind: "application", name: value, id: value, clientId: value },
            { name: value, issuer: value, subject: value, audience: value },
            true,
          ),
        ),
        ...argsOf(roleAssignmentCommand(value, value, value)),
        ...argsOf(aksUpdateCommand(value, value, ["--enable-oidc-issuer"], value)),
        ...argsOf(annotateClientIdCommand(value, value, value)),
      ];
      expect(calls).toHaveLength(6);
      expect(existsSync(marker)).toBe(false);
      for (const args of calls) expect(args.filter((a) => a.includes(value)).length).toBeGreaterThan(0);
      expect(calls[0]).toContain(`${value}-${value}`);
      expect(calls[0]).toContain(`system:serviceaccount:${value}:${value}`);
    },
  );

  it("printed npx commands pin the version from package.json", () => {
    expect(NPX_COMMAND).toBe(`npx azure-auth-gate@${pkg.version}`);
  });
});

describe("Kubernetes names are validated when the manifests are read", () => {
  it("a ServiceAccount named like a shell command is an input error naming file, line and field", async () => {
    const err = await inputError(() =>
      check(
        `
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: "x;curl http://127.0.0.1:9/p|sh;#"
    `,
        "k8s/sa.yaml",
      ),
    );
    expect(err.oneLine()).toMatch(/^k8s\/sa\.yaml:4: metadata\.name: "x;curl .*" must be an RFC 1123 subdomain/);
  });

  it("a namespace with a dot, a pod's serviceAccountName with a backtick: input errors", async () => {
    const ns = await inputError(() =>
      check(`
      apiVersion: v1
      kind: ConfigMap
      metadata: {name: c, namespace: "a.b"}
    `),
    );
    expect(ns.field).toBe("metadata.namespace");
    const sa = await inputError(() =>
      check(`
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: backend, namespace: prod}
      spec:
        template:
          spec:
            serviceAccountName: "a\`id\`"
            containers: [{name: app, image: app:1}]
    `),
    );
    expect(sa.field).toBe("spec.template.spec.serviceAccountName");
    expect(sa.line).toBe(7);
  });

  it("valid names (dots in object names, generateName prefixes) still parse", () => {
    expect(() =>
      check(`
      apiVersion: batch/v1
      kind: Job
      metadata: {generateName: migrate-, namespace: prod}
      spec:
        template:
          spec:
            serviceAccountName: app.v2
            containers: [{name: app, image: app:1}]
    `),
    ).not.toThrow();
  });

  it("a manifest value that reaches a command (AZURE_CLIENT_ID) is quoted, not run", () => {
    const value = `$(touch ${marker})`;
    const findings = only(
      check(`
      apiVersion: v1
      kind: ServiceAccount
      metadata:
        name: api
        namespace: prod
        annotations: {azure.workload.identity/client-id: "11111111-1111-1111-1111-111111111111"}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api, namespace: prod}
      spec:
        template:
          metadata: {labels: {azure.workload.identity/use: "true"}}
          spec:
            serviceAccountName: api
            containers:
              - name: app
                image: app:1
                env: [{name: AZURE_CLIENT_ID, value: "${value}"}]
    `),
      "AG109",
    );
    const command = /`(kubectl [^`]+)`/.exec(findings[0]?.fix ?? "")?.[1];
    expect(command).toBeDefined();
    expect(argsOf(command!)[0]).toEqual([
      "-n",
      "prod",
      "annotate",
      "serviceaccount",
      "api",
      "--overwrite",
      `azure.workload.identity/client-id=${value}`,
    ]);
    expect(existsSync(marker)).toBe(false);
  });
});
