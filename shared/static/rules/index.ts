/** Every AG1xx rule, run over one model built once from the manifests. */
import type { Finding } from "../../findings/model.js";
import type { ManifestSet } from "../parse.js";
import { buildModel, type StaticModel } from "../workloads.js";
import type { StaticRule } from "./context.js";
import { credentialRules } from "./credentials.js";
import { envCredentialRules } from "./env-credential.js";
import { ag110 } from "./migration.js";
import { ag103 } from "./pod-identity.js";
import { workloadIdentityRules } from "./workload-identity.js";

const RULES: StaticRule[] = [...credentialRules, ...envCredentialRules, ag103, ...workloadIdentityRules, ag110];

/** AG101–AG112 over the manifests: raw findings (no policy applied), in rule order. */
export function checkManifests(set: ManifestSet, model: StaticModel = buildModel(set)): Finding[] {
  const ctx = { set, model };
  return RULES.flatMap((rule) => rule(ctx));
}
