/** Every AG1xx rule, one file per id (`ag1NN.ts`), run over one model built once from the manifests. */
import type { RuleIdOf } from "../../findings/catalogue.js";
import type { Finding } from "../../findings/model.js";
import type { ManifestSet } from "../parse.js";
import { buildModel, type StaticModel } from "../workloads.js";
import type { StaticRule } from "./rule-context.js";
import { ag101 } from "./ag101.js";
import { ag102 } from "./ag102.js";
import { ag103 } from "./ag103.js";
import { ag104 } from "./ag104.js";
import { ag105 } from "./ag105.js";
import { ag106 } from "./ag106.js";
import { ag107 } from "./ag107.js";
import { ag108 } from "./ag108.js";
import { ag109 } from "./ag109.js";
import { ag110 } from "./ag110.js";
import { ag111 } from "./ag111.js";
import { ag112 } from "./ag112.js";

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
