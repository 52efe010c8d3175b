/**
 * The official SARIF 2.1.0 JSON schema (OASIS, vendored in ./schemas with its provenance) as a validator for
 * the SARIF the product writes. It is draft-04, hence `ajv-draft-04`; formats (uri, date-time, …) are checked.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import ajvDraft04 from "ajv-draft-04";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";

const SCHEMA_FILE = fileURLToPath(new URL("./schemas/sarif-schema-2.1.0.json", import.meta.url));
/** The published file's hash: a reformatted or edited copy would no longer be the official schema. */
const SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e";

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  const bytes = readFileSync(SCHEMA_FILE);
  const sha = createHash("sha256").update(bytes).digest("hex");
  if (sha !== SCHEMA_SHA256) throw new Error(`${SCHEMA_FILE} is not the published OASIS file (sha256 ${sha})`);
  const ajv = new ajvDraft04.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  return ajv.compile(JSON.parse(bytes.toString("utf8")) as object);
}

/** Errors of `log` against the official SARIF 2.1.0 schema, one per line ("" when it is valid). */
export function sarifSchemaErrors(log: unknown): string {
  validator ??= compile();
  if (validator(log)) return "";
  return (validator.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`).join("\n");
}
