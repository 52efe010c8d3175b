/**
 * The contract of the live probe layer (AG3xx): the gate hands it one resolved target and gets the
 * findings back. Defined here, below shared/gate, so the probe never imports the gate that calls it.
 */
import type { ResolvedTarget } from "../azure/facts/types.js";
import type { Finding } from "../findings/model.js";

/** The live probe for one target, supplied by the probe layer; it must never report a pass it did not see. */
export type ProbeLayer = (target: ResolvedTarget) => Promise<Finding[]>;
