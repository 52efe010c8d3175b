/** Every AG1xx rule, run over one model built once from the manifests. */
import type { RuleIdOf } from "../../findings/catalogue.js";
import type { Finding } from "../../findings/model.js";
import type { ManifestSet } from "../parse.js";
import { buildModel, type StaticModel } from "../workloads.js";
import type { StaticRule } from "./context.js";
import { ag101, ag108, ag111 } from "./credentials.js";
import { ag102, ag112 } from "./env-credential.js";
import { ag110 } from "./migration.js";
import { ag103 } from "./pod-identity.js";
import { ag104, ag105, ag106, ag107, ag109 } from "./workload-identity.js";

/** One implementation per static id in the catalogue: a missing one or an unknown key does not compile. */
export type StaticRegistry = { readonly [Id in RuleIdOf<"static">]: StaticRule };

/** Run in this order (raw findings keep it). */
export const STATIC_RULES: StaticRegistry = {
  AG101: ag101,
  AG108: ag108,
  AG111: ag111,
  AG102: ag102,
  AG112: ag112,
  AG103: ag103,
  AG104: ag104,
  AG105: ag105,
  AG106: ag106,
  AG107: ag107,
  AG109: ag109,
  AG110: ag110,
};

/** AG101–AG112 over the manifests: raw findings (no policy applied), in rule order. */
export function checkManifests(set: ManifestSet, model: StaticModel = buildModel(set)): Finding[] {
  const ctx = { set, model };
  return Object.values(STATIC_RULES).flatMap((rule: StaticRule) => rule(ctx));
}
