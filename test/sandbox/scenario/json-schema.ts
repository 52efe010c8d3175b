/**
 * docs/scenario.schema.json, generated from the zod scenario schema (the input form: what a scenario
 * author writes, defaults optional). `npx tsx test/sandbox/scenario/json-schema.ts` rewrites the file;
 * a test fails when it is out of date.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { scenarioSchema } from "./schema.js";

export const SCHEMA_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "docs", "scenario.schema.json");

export function scenarioJsonSchema(): string {
  const schema = z.toJSONSchema(scenarioSchema, { io: "input" }) as Record<string, unknown>;
  const doc = {
    $schema: schema.$schema,
    title: "Azure Auth Gate sandbox scenario",
    description: "A tenant described with human names; ids are derived from the names. See docs/sandbox.md for the ref syntax.",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, scenarioJsonSchema());
  console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
