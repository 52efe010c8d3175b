// Compile-time contract, checked by `npm run typecheck` (this file is in tsconfig's scope; it never runs).
// Each `@ts-expect-error` line MUST fail to compile: if RuleId ever widens back to `string` or a registry
// stops being exhaustive, the directive is unused and typecheck fails.
import type { RuleId, RuleIdOf } from "../../shared/findings/catalogue.js";
import { raise } from "../../shared/findings/raise.js";
import { CONTROL_PLANE_RULES, type ControlPlaneRegistry } from "../../shared/azure/rules/index.js";
import { STATIC_RULES, type StaticRegistry } from "../../shared/static/rules/index.js";

const input = { target: { kind: "Deployment", name: "web" }, evidence: "e", fix: "f" };

export const known = raise("AG203", input);
// @ts-expect-error a mistyped id (letter O for zero) is not in the catalogue
export const typo = raise("AG2O3", input);
// @ts-expect-error an id the catalogue does not define
export const unknown = raise("AG299", input);
// @ts-expect-error an arbitrary string is not a RuleId
export const widened: RuleId = "AG203" as string;

// A catalogued control-plane rule without its implementation.
const { AG215: _ag215, ...withoutAg215 } = CONTROL_PLANE_RULES;
// @ts-expect-error AG215 is missing
export const missingControlPlane: ControlPlaneRegistry = withoutAg215;
// @ts-expect-error a key that is not a control-plane id (a typo of AG215)
export const extraControlPlane: ControlPlaneRegistry = { ...CONTROL_PLANE_RULES, AG2l5: CONTROL_PLANE_RULES.AG215 };

const { AG110: _ag110, ...withoutAg110 } = STATIC_RULES;
// @ts-expect-error AG110 is missing
export const missingStatic: StaticRegistry = withoutAg110;
// @ts-expect-error a static rule registered under a control-plane id
export const wrongLayer: StaticRegistry = { ...STATIC_RULES, AG201: STATIC_RULES.AG101 };

// The per-layer id sets are disjoint and cover the layers' rules.
export const staticId: RuleIdOf<"static"> = "AG112";
// @ts-expect-error AG201 is a control-plane id, not a static one
export const notStatic: RuleIdOf<"static"> = "AG201";
