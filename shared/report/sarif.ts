/**
 * `--format sarif`: SARIF 2.1.0 for `github/codeql-action/upload-sarif` (code scanning alerts on the PR).
 *
 * GitHub's ingestion rejects the WHOLE file when a result has no location or a location without
 * `physicalLocation.artifactLocation.uri` (GH1001). Findings about a line of a manifest point at that
 * line. Findings about Azure (no line in any file) point at the file that made the gate look — the
 * config file, when the run had one — without a region (a file-level alert, never a made-up line),
 * and always carry the target as a logical location.
 */
import { isAbsolute, relative } from "node:path";
import { allRules, type Rule } from "../findings/catalogue.js";
import { formatTarget, targetKey, type Finding, type Report, type Severity } from "../findings/model.js";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

export type SarifLevel = "error" | "warning" | "note";

const LEVEL: Record<Severity, SarifLevel> = { error: "error", warning: "warning", info: "note" };

export function sarifLevel(severity: Severity): SarifLevel {
  return LEVEL[severity];
}

export interface SarifOptions {
  /** Directory finding files are made relative to (the repository root in CI); default: the process's cwd. */
  baseDir?: string;
  /** File that file-less findings are anchored to; default: `metadata.config` when the run used a config. */
  anchorFile?: string;
}

interface SarifLogicalLocation {
  name: string;
  fullyQualifiedName: string;
  kind: "resource";
}

interface SarifLocation {
  physicalLocation?: { artifactLocation: { uri: string }; region?: { startLine: number } };
  logicalLocations: SarifLogicalLocation[];
}

interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: { text: string };
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  suppressions?: { kind: "external"; status: "accepted"; justification: string }[];
  properties: { target: string };
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  helpUri: string;
  help: { text: string; markdown: string };
  defaultConfiguration: { level: SarifLevel };
  properties: { tags: string[]; precision: "high" };
}

export interface SarifLog {
  $schema: string;
  version: "2.1.0";
  runs: {
    tool: { driver: { name: string; version: string; semanticVersion: string; informationUri: string; rules: SarifRule[] } };
    columnKind: "utf16CodeUnits";
    results: SarifResult[];
    properties: { verdict: Report["verdict"]; summary: Report["summary"]; metadata: Report["metadata"] };
  }[];
}

/** Where users read about the tool (its package page); SARIF requires an absolute URI here. */
export function informationUri(toolName: string): string {
  return `https://www.npmjs.com/package/${toolName}`;
}

/**
 * `Credential as a literal in container env` → `CredentialAsLiteralInContainerEnv`. SARIF friendly names are
 * Pascal identifiers, every word one capital then lower case or digits (the SARIF Multitool's SARIF2012):
 * acronyms are lowered (`AZURE_CLIENT_ID` → `AzureClientId`), one-letter words (`a`, the `s` of `'s`) dropped,
 * numbers joined to the word before.
 */
function ruleName(title: string): string {
  let name = "";
  // camelCase words keep their parts (`ServiceAccount`, `GitHub`); all-caps ones become one word (`OIDC` → `Oidc`).
  for (const word of title.split(/[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])/)) {
    if (/^\d+$/.test(word) && name) name += word;
    else if (word.length > 1) name += word[0]!.toUpperCase() + word.slice(1).toLowerCase();
  }
  return name;
}

/** Where the rule is explained with its fix: the catalogue section of the README on the package page. */
export function ruleHelpUri(toolName: string): string {
  return `${informationUri(toolName)}#finding-catalogue`;
}

function sarifRule(rule: Rule, helpUri: string): SarifRule {
  return {
    id: rule.id,
    name: ruleName(rule.title),
    helpUri,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    help: { text: `${rule.description}\n\n${rule.help}`, markdown: `**${rule.id}: ${rule.title}**\n\n${rule.description}\n\n${rule.help}` },
    defaultConfiguration: { level: sarifLevel(rule.severity) },
    properties: { tags: ["security", "azure", "kubernetes", rule.layer], precision: "high" },
  };
}

/**
 * A repository-relative URI reference with forward slashes and percent-encoded segments, or undefined
 * when the finding's "file" is not a file (stdin).
 */
export function artifactUri(file: string, baseDir: string): string | undefined {
  if (!file || file === "-" || file.startsWith("<")) return undefined;
  const slashed = file.replace(/\\/g, "/");
  const rel = isAbsolute(file) || /^[A-Za-z]:\//.test(slashed) ? relative(baseDir, file).replace(/\\/g, "/") : slashed;
  return rel
    .replace(/^(\.\/)+/, "")
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

/** Stable across runs and line moves: the same finding on the same target keeps its alert. */
function fingerprint(f: Finding): string {
  return `${f.id}:${targetKey(f.target)}`;
}

function resultFor(f: Finding, ruleIndex: number, baseDir: string, anchor: string | undefined): SarifResult {
  const logical: SarifLogicalLocation = { name: f.target.name, fullyQualifiedName: formatTarget(f.target), kind: "resource" };
  const fileUri = f.location ? artifactUri(f.location.file, baseDir) : undefined;
  let location: SarifLocation;
  if (fileUri && f.location) {
    location = {
      physicalLocation: { artifactLocation: { uri: fileUri }, region: { startLine: Math.max(1, f.location.line) } },
      logicalLocations: [logical],
    };
  } else if (anchor) {
    location = { physicalLocation: { artifactLocation: { uri: anchor } }, logicalLocations: [logical] };
  } else {
    location = { logicalLocations: [logical] };
  }
  const result: SarifResult = {
    ruleId: f.id,
    ruleIndex,
    level: sarifLevel(f.severity),
    message: { text: `${f.title} (${formatTarget(f.target)}): ${f.evidence}\nFix: ${f.fix}` },
    locations: [location],
    partialFingerprints: { "azureAuthGate/v1": fingerprint(f) },
    properties: { target: formatTarget(f.target) },
  };
  if (f.waived) result.suppressions = [{ kind: "external", status: "accepted", justification: f.waived.reason }];
  return result;
}

export function toSarif(report: Report, options: SarifOptions = {}): SarifLog {
  const baseDir = options.baseDir ?? process.cwd();
  const rules = allRules();
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const configFile = typeof report.metadata.config === "string" ? report.metadata.config : undefined;
  const anchorSource = options.anchorFile ?? configFile;
  const anchor = anchorSource ? artifactUri(anchorSource, baseDir) : undefined;
  const { tool } = report.metadata;
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: tool.name,
            version: tool.version,
            semanticVersion: tool.version,
            informationUri: informationUri(tool.name),
            rules: rules.map((r) => sarifRule(r, ruleHelpUri(tool.name))),
          },
        },
        columnKind: "utf16CodeUnits",
        results: report.findings.map((f) => {
          const i = index.get(f.id);
          if (i === undefined) throw new Error(`finding ${f.id} is not in the rule registry`);
          return resultFor(f, i, baseDir, anchor);
        }),
        properties: { verdict: report.verdict, summary: report.summary, metadata: report.metadata },
      },
    ],
  };
}

export function renderSarif(report: Report, options: SarifOptions = {}): string {
  return `${JSON.stringify(toSarif(report, options), null, 2)}\n`;
}
