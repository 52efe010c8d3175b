/**
 * YAML documents to plain values for the config loaders. `toJS` expands aliases; the yaml package stops
 * a billion-laughs document at `maxAliasCount` with a ReferenceError, which is bad input (exit 2), not a bug.
 */
import { LineCounter, parseDocument, type Document } from "yaml";
import { InputError } from "../errors.js";

/** Alias expansions a config may use (yaml's own default): real configs alias a handful of small maps. */
export const MAX_CONFIG_ALIASES = 100;

/**
 * Parses one config document, refusing a syntax error as one line with its line number. (The yaml package
 * fills an error's `linePos` only with `prettyErrors`, which also appends a code frame to the message, so
 * the line is taken from the error's offset instead.)
 */
export function parseConfigDocument(text: string, file: string): { doc: Document; counter: LineCounter } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = counter.linePos(yamlError.pos[0]).line;
    throw new InputError(`not valid YAML: ${yamlError.message.split("\n")[0] ?? ""}`, { file, line });
  }
  return { doc, counter };
}

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
