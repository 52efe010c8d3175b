/** README's "what `fix` does" table, generated from `FIX_ACTIONS` by `npm run docs` (scripts/gen-readme-catalogue.ts). */
import { FIX_ACTIONS, type MechanicalFixId } from "./plan.js";

function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

/** The table (no trailing newline), one row per mechanical fix in `FIX_ACTIONS` order. */
export function renderFixTable(actions: Readonly<Partial<Record<MechanicalFixId, string>>> = FIX_ACTIONS): string {
  const rows = Object.entries(actions).map(([id, does]) => `| ${id} | ${cell(does)} |`);
  return ["| finding | what `fix` does |", "|---|---|", ...rows].join("\n");
}
