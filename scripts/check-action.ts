/**
 * `npm run check:action [-- FILE]`: action.yml (or FILE) through GitHub's own parser and schema
 * (@actions/workflow-parser, action-root-strict) plus Marketplace's 125-character description limit — the check
 * test/action-manifest runs in CI, for a person to run on an edited copy. Exit 1 with GitHub's messages when refused;
 * exit 2 with one line when FILE cannot be read.
 */
import { readFileSync } from "node:fs";
import { relative, resolve } from "node:path";
import { actionYmlPath, parseActionManifest } from "../test/action-manifest/manifest.js";
import { unreadableReason } from "../shared/errors.js";

const file = resolve(process.argv[2] ?? actionYmlPath);
const rel = relative(process.cwd(), file);
const shown = rel && !rel.startsWith("..") ? rel : file;
const parserVersion = (
  JSON.parse(readFileSync(new URL("../node_modules/@actions/workflow-parser/package.json", import.meta.url), "utf8")) as { version: string }
).version;
let text: string;
try {
  text = readFileSync(file, "utf8");
} catch (err) {
  console.error(`check:action: cannot read ${shown}: ${unreadableReason(err)}`);
  process.exit(2);
}
const parsed = parseActionManifest(text, shown);
const problems = [...parsed.errors];
if (parsed.template && parsed.template.description.length > 125)
  problems.push(`${shown}: description is ${parsed.template.description.length} characters; Marketplace allows 125`);
if (problems.length > 0 || !parsed.template) {
  console.error(`${shown}: refused (@actions/workflow-parser ${parserVersion}, action-root-strict; Marketplace limits):`);
  for (const problem of problems) console.error(`  ${problem.trim()}`);
  process.exit(1);
}
const { template } = parsed;
const runs = "main" in template.runs ? `${template.runs.using} ${template.runs.main}` : template.runs.using;
console.log(
  `${shown}: accepted by @actions/workflow-parser ${parserVersion} (action-root-strict): "${template.name}", ${template.inputs?.length ?? 0} inputs, ${template.outputs?.length ?? 0} outputs, runs ${runs}, description ${template.description.length}/125 characters`,
);
