/**
 * The finding catalogue as output: `azure-auth-gate rules --format json|markdown` and the README table
 * (scripts/gen-readme-catalogue.ts) are both generated from the registry, so they cannot drift from it.
 * The registry's own text keeps its markdown (code spans); only table-breaking characters are escaped.
 */
import { allRules, type Rule } from "../findings/catalogue.js";

export type RulesFormat = "json" | "markdown";

export function renderRulesJson(rules: readonly Rule[] = allRules()): string {
  const out = rules.map((r) => ({
    id: r.id,
    layer: r.layer,
    severity: r.severity,
    title: r.title,
    description: r.description,
    help: r.help,
  }));
  return `${JSON.stringify(out, null, 2)}\n`;
}

function cell(text: string): string {
  return text.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
}

/** The catalogue table (no trailing newline), one row per rule in registry order. */
export function renderRulesTable(rules: readonly Rule[] = allRules()): string {
  const rows = rules.map((r) => `| ${r.id} | ${r.layer} | ${r.severity} | ${cell(r.title)} | ${cell(r.description)} | ${cell(r.help)} |`);
  return ["| ID | layer | severity | title | when it fires | how to fix |", "|---|---|---|---|---|---|", ...rows].join("\n");
}

export function renderRulesMarkdown(rules: readonly Rule[] = allRules()): string {
  return `# Azure Auth Gate finding catalogue\n\n${renderRulesTable(rules)}\n`;
}

export function renderRules(format: RulesFormat): string {
  return format === "json" ? renderRulesJson() : renderRulesMarkdown();
}
