/**
 * `npm run docs`: regenerates the finding catalogue table in README.md (between the catalogue markers)
 * from the rule registry. `npm run docs -- --check` changes nothing and exits 1 when README is stale
 * (CI runs it, so the README can never drift from the registry).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderRulesTable } from "../shared/report/rules.js";

const START = "<!-- catalogue:start -->";
const END = "<!-- catalogue:end -->";

/** README text with the table between the markers replaced; throws when the markers are missing or out of order. */
export function withCatalogue(readme: string, table: string = renderRulesTable()): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0 || end < start) throw new Error(`README.md must contain ${START} followed by ${END}`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

function main(argv: string[]): number {
  const file = fileURLToPath(new URL("../README.md", import.meta.url));
  const check = argv.includes("--check");
  const unknown = argv.filter((a) => a !== "--check");
  if (unknown.length > 0) {
    console.error(`gen-readme-catalogue: unknown argument '${unknown[0]}' (only --check)`);
    return 2;
  }
  const current = readFileSync(file, "utf8");
  let next: string;
  try {
    next = withCatalogue(current);
  } catch (err) {
    console.error(`gen-readme-catalogue: ${(err as Error).message}`);
    return 1;
  }
  if (check) {
    if (next !== current) {
      console.error("README.md's finding catalogue is stale (the rule registry changed): run `npm run docs` and commit README.md");
      return 1;
    }
    console.log("README.md finding catalogue is up to date");
    return 0;
  }
  if (next !== current) writeFileSync(file, next);
  console.log(next === current ? "README.md finding catalogue already up to date" : "README.md finding catalogue regenerated");
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
