/**
 * YAML documents to plain values for the config loaders. `toJS` expands aliases; the yaml package stops
 * a billion-laughs document at `maxAliasCount` with a ReferenceError, which is bad input (exit 2), not a bug.
 */
import type { Document } from "yaml";
import { InputError } from "../errors.js";

/** Alias expansions a config may use (yaml's own default): real configs alias a handful of small maps. */
export const MAX_CONFIG_ALIASES = 100;

export function documentToJs(doc: Document, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_CONFIG_ALIASES });
  } catch (err) {
    if (err instanceof ReferenceError) {
      throw new InputError(`YAML aliases expand beyond ${MAX_CONFIG_ALIASES} copies (an alias bomb?); refusing to read it`, { file });
    }
    throw err;
  }
}
