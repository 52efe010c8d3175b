/**
 * What AG102 and AG112 share about EnvironmentCredential: its variable names (from the credential table) and
 * how a variable's source reads in evidence. Both count every source a variable can come from: env value,
 * valueFrom, envFrom of Secrets and ConfigMaps.
 */
import type { Finding } from "../../findings/model.js";
import { environmentCredentialNames } from "../credential-knowledge.js";
import type { EnvVar } from "../env.js";
import type { ContainerView, WorkloadView } from "../workloads.js";
import type { RuleContext } from "./rule-context.js";

// EnvironmentCredential's own names, from the credential table.
export const SECRET_VARS = [...environmentCredentialNames("clientSecret"), ...environmentCredentialNames("certificatePath")];
export const [TENANT_VAR = "AZURE_TENANT_ID"] = environmentCredentialNames("tenant");
export const [CLIENT_VAR = "AZURE_CLIENT_ID"] = environmentCredentialNames("clientId");
export const [USERNAME_VAR = "AZURE_USERNAME"] = environmentCredentialNames("username");
export const [PASSWORD_VAR = "AZURE_PASSWORD"] = environmentCredentialNames("password");

export function sourceText(v: EnvVar): string {
  switch (v.source.kind) {
    case "literal":
      return "value";
    case "secret":
      return `Secret ${v.source.name}`;
    case "configMap":
      return `ConfigMap ${v.source.name}`;
    default:
      return "valueFrom";
  }
}

/** Runs a per-container check over every container of every workload. */
export function forEachContainer(
  ctx: RuleContext,
  check: (w: WorkloadView, c: ContainerView, all: readonly WorkloadView[]) => Finding | undefined,
): Finding[] {
  const all = ctx.model.workloads;
  return all.flatMap((w) => w.containers.map((c) => check(w, c, all)).filter((f): f is Finding => f !== undefined));
}
