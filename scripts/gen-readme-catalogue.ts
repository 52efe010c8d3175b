/**
 * `npm run docs`: regenerates README.md's generated tables — the finding catalogue (between the catalogue
 * markers) from the rule registry, and the "what `fix` does" table (between the fixes markers) from the fix
 * engine's `FIX_ACTIONS`. `npm run docs -- --check` changes nothing and exits 1 when README is stale (CI and
 * integrate.sh run it, so the README can never drift from the code).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderFixTable } from "../shared/fix/readme-table.js";
import { renderRulesTable } from "../shared/report/rules.js";

/** README text with the text between `<!-- name:start -->` and `<!-- name:end -->` replaced; throws when they are missing or out of order. */
function withSection(readme: string, name: string, table: string): string {
  const START = `<!-- ${name}:start -->`;
  const END = `<!-- ${name}:end -->`;
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < 0 || end < start) throw new Error(`README.md must contain ${START} followed by ${END}`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

/** README text with the finding catalogue between the catalogue markers replaced. */
export function withCatalogue(readme: string, table: string = renderRulesTable()): string {
  return withSection(readme, "catalogue", table);
}

/** README text with the fix table between the fixes markers replaced. */
export function withFixTable(readme: string, table: string = renderFixTable()): string {
  return withSection(readme, "fixes", table);
}

/** Every generated section of README.md. */
export function withGeneratedTables(readme: string): string {
  return withFixTable(withCatalogue(readme));
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
    next = withGeneratedTables(current);
  } catch (err) {
    console.error(`gen-readme-catalogue: ${(err as Error).message}`);
    return 1;
  }
  if (check) {
    if (next !== current) {
      console.error(
        "README.md's generated tables are stale (the rule registry or FIX_ACTIONS changed): run `npm run docs` and commit README.md",
      );
      return 1;
    }
    console.log("README.md finding catalogue and fix table are up to date");
    return 0;
  }
  if (next !== current) writeFileSync(file, next);
  console.log(
    next === current
      ? "README.md finding catalogue and fix table already up to date"
      : "README.md finding catalogue and fix table regenerated",
  );
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
