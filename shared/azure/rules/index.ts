/** The AG2xx rules: pure functions from one target's facts to findings. */
import type { RuleIdOf } from "../../findings/catalogue.js";
import type { Finding } from "../../findings/model.js";
import type { TargetFacts } from "../facts/types.js";
import { ag201 } from "./ag201.js";
import { ag202 } from "./ag202.js";
import { ag203 } from "./ag203.js";
import { ag204 } from "./ag204.js";
import { ag205 } from "./ag205.js";
import { ag206 } from "./ag206.js";
import { ag207 } from "./ag207.js";
import { ag208 } from "./ag208.js";
import { ag209 } from "./ag209.js";
import { ag210 } from "./ag210.js";
import { ag211 } from "./ag211.js";
import { ag212 } from "./ag212.js";
import { ag213 } from "./ag213.js";
import { ag214 } from "./ag214.js";
import { ag215 } from "./ag215.js";
import { ag216 } from "./ag216.js";

export type ControlPlaneRule = (facts: TargetFacts) => Finding[];

/** One implementation per control-plane id in the catalogue: a missing one or an unknown key does not compile. */
export type ControlPlaneRegistry = { readonly [Id in RuleIdOf<"control-plane">]: ControlPlaneRule };

export const CONTROL_PLANE_RULES: ControlPlaneRegistry = {
  AG201: ag201,
  AG202: ag202,
  AG203: ag203,
  AG204: ag204,
  AG205: ag205,
  AG206: ag206,
  AG207: ag207,
  AG208: ag208,
  AG209: ag209,
  AG210: ag210,
  AG211: ag211,
  AG212: ag212,
  AG213: ag213,
  AG214: ag214,
  AG215: ag215,
  AG216: ag216,
};

/** All AG2xx findings for one target (not yet deduplicated across targets). */
export function evaluateControlPlane(facts: TargetFacts): Finding[] {
  return Object.values(CONTROL_PLANE_RULES).flatMap((rule) => rule(facts));
}
