/**
 * `--format text`: the human report on a terminal. Findings grouped by target (the Deployment, Job or
 * Azure resource to fix), most severe group first; each with where, what was seen, and the fix indented
 * so it can be copied. Colour only when asked (the CLI asks when stdout is a TTY and NO_COLOR is unset).
 * Control characters from user content are made visible, so a resource name cannot drive the terminal.
 */
import { formatTarget, targetKey, type Finding, type Report, type Severity, type Verdict } from "../findings/model.js";
import { aboutParts, summaryCounts } from "./build.js";

export interface TextOptions {
  color?: boolean;
}

type Style = "bold" | "dim" | "red" | "yellow" | "cyan" | "green";
const SGR: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  green: [32, 39],
};

const SEVERITY_STYLE: Record<Severity, Style> = { error: "red", warning: "yellow", info: "cyan" };
const VERDICT_STYLE: Record<Verdict, Style> = { fail: "red", warn: "yellow", pass: "green" };
const VERDICT_WORD: Record<Verdict, string> = { fail: "FAIL", warn: "WARN", pass: "PASS" };

/** Replaces control characters (ESC, BEL, CR…) except newline with a visible `\xNN`. */
export function sanitizeForTerminal(text: string): string {
  return (
    text
      .replace(/\t/g, "  ")
      // eslint-disable-next-line no-control-regex -- control characters are exactly what must be neutralised
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
  );
}

function indent(text: string, prefix: string): string {
  return text
    .split("\n")
    .map((line) => (line ? prefix + line : line))
    .join("\n");
}

export function renderText(report: Report, options: TextOptions = {}): string {
  const paint = (style: Style, text: string) => (options.color ? `\u001b[${SGR[style][0]}m${text}\u001b[${SGR[style][1]}m` : text);
  const clean = sanitizeForTerminal;
  const counts = summaryCounts(report.summary);
  const lines: string[] = [`${paint("bold", paint(VERDICT_STYLE[report.verdict], VERDICT_WORD[report.verdict]))}  ${counts.join(", ")}`];

  const groups = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const key = targetKey(f.target);
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  for (const findings of groups.values()) {
    lines.push("", paint("bold", clean(formatTarget(findings[0]!.target))));
    for (const f of findings) {
      const where = f.location ? `  ${clean(`${f.location.file}:${f.location.line}`)}` : "";
      const label = (f.waived ? `${f.severity} (waived)` : f.severity).padEnd(7);
      const severity = paint(f.waived ? "dim" : SEVERITY_STYLE[f.severity], label);
      lines.push(`  ${severity} ${f.id}  ${f.title}${paint("dim", where)}`);
      if (f.waived) {
        lines.push(`      waived: ${clean(f.waived.reason)}`);
        continue;
      }
      lines.push(indent(`seen: ${clean(f.evidence)}`, "      "));
      lines.push("      fix:", indent(clean(f.fix), "        "));
    }
  }
  lines.push("", paint("dim", clean(aboutParts(report.metadata).join(" · "))));
  return `${lines.join("\n")}\n`;
}
