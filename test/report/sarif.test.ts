/**
 * SARIF 2.1.0 structural validity, as github/codeql-action/upload-sarif ingests it: required fields,
 * the schema's enums, no unknown keys on the objects we emit (the schema's additionalProperties: false),
 * and GitHub's own rule that every result location carries physicalLocation.artifactLocation.uri.
 */
import { describe, expect, it } from "vitest";
import { allRules } from "../../shared/findings/catalogue.js";
import { raise } from "../../shared/findings/raise.js";
import { buildReport, runMetadata } from "../../shared/report/build.js";
import { artifactUri, renderSarif, type SarifLog } from "../../shared/report/sarif.js";
import { brokenFindings, hostileFindings, NOW, reportOf } from "./fixtures.js";
import { sarifSchemaErrors } from "./sarif-schema.js";

/** Keys the SARIF 2.1.0 schema allows on each object kind we emit (a subset of the schema, verbatim names). */
const ALLOWED: Record<string, string[]> = {
  log: ["$schema", "version", "runs", "inlineExternalProperties", "properties"],
  run: [
    "tool",
    "invocations",
    "conversion",
    "language",
    "versionControlProvenance",
    "originalUriBaseIds",
    "artifacts",
    "logicalLocations",
    "graphs",
    "results",
    "automationDetails",
    "runAggregates",
    "baselineGuid",
    "redactionTokens",
    "defaultEncoding",
    "defaultSourceLanguage",
    "newlineSequences",
    "columnKind",
    "externalPropertyFileReferences",
    "threadFlowLocations",
    "taxonomies",
    "addresses",
    "translations",
    "policies",
    "webRequests",
    "webResponses",
    "specialLocations",
    "properties",
  ],
  driver: [
    "guid",
    "name",
    "fullName",
    "semanticVersion",
    "version",
    "dottedQuadFileVersion",
    "releaseDateUtc",
    "downloadUri",
    "informationUri",
    "organization",
    "product",
    "productSuite",
    "shortDescription",
    "fullDescription",
    "language",
    "globalMessageStrings",
    "notifications",
    "rules",
    "taxa",
    "locations",
    "contents",
    "isComprehensive",
    "localizedDataSemanticVersion",
    "minimumRequiredLocalizedDataSemanticVersion",
    "associatedComponent",
    "translationMetadata",
    "supportedTaxonomies",
    "properties",
  ],
  rule: [
    "id",
    "deprecatedIds",
    "guid",
    "deprecatedGuids",
    "name",
    "deprecatedNames",
    "shortDescription",
    "fullDescription",
    "messageStrings",
    "defaultConfiguration",
    "helpUri",
    "help",
    "relationships",
    "properties",
  ],
  result: [
    "ruleId",
    "ruleIndex",
    "rule",
    "kind",
    "level",
    "message",
    "analysisTarget",
    "locations",
    "guid",
    "correlationGuid",
    "occurrenceCount",
    "partialFingerprints",
    "fingerprints",
    "stacks",
    "codeFlows",
    "graphs",
    "graphTraversals",
    "relatedLocations",
    "suppressions",
    "baselineState",
    "rank",
    "attachments",
    "hostedViewerUri",
    "workItemUris",
    "provenance",
    "fixes",
    "taxa",
    "webRequest",
    "webResponse",
    "properties",
  ],
  location: ["id", "physicalLocation", "logicalLocations", "message", "annotations", "relationships", "properties"],
  physicalLocation: ["address", "artifactLocation", "region", "contextRegion", "properties"],
  logicalLocation: ["name", "index", "fullyQualifiedName", "decoratedName", "parentIndex", "kind", "properties"],
  suppression: ["guid", "kind", "status", "justification", "location", "properties"],
};

function keysAllowed(kind: string, obj: object): void {
  const extra = Object.keys(obj).filter((k) => !ALLOWED[kind]!.includes(k));
  expect(extra, `${kind} has keys the SARIF schema does not allow`).toEqual([]);
}

const LEVELS = ["none", "note", "warning", "error"];

function validate(log: SarifLog): void {
  expect(sarifSchemaErrors(log), "official SARIF 2.1.0 JSON schema (OASIS, vendored)").toBe("");
  keysAllowed("log", log);
  expect(log.version).toBe("2.1.0");
  expect(log.$schema).toMatch(/^https:\/\/.*sarif.*2\.1\.0.*\.json$/);
  expect(log.runs).toHaveLength(1);
  const run = log.runs[0]!;
  keysAllowed("run", run);
  expect(["utf16CodeUnits", "unicodeCodePoints"]).toContain(run.columnKind);
  const driver = run.tool.driver;
  keysAllowed("driver", driver);
  expect(driver.name).toBe("azure-auth-gate");
  expect(driver.version).toMatch(/^\d+\.\d+\.\d+/);
  expect(new URL(driver.informationUri).protocol).toBe("https:");
  const ids = new Set<string>();
  for (const rule of driver.rules) {
    keysAllowed("rule", rule);
    expect(ids.has(rule.id), `duplicate rule ${rule.id}`).toBe(false);
    ids.add(rule.id);
    // A Pascal identifier as the SARIF Multitool defines it (SARIF2012): each word one capital, then lower case or digits.
    expect(rule.name).toMatch(/^(?:[A-Z][a-z0-9]+)+$/);
    expect(new URL(rule.helpUri!).protocol).toBe("https:");
    expect(rule.shortDescription.text.length).toBeGreaterThan(0);
    expect(rule.fullDescription.text.length).toBeGreaterThan(0);
    expect(rule.help.text.length).toBeGreaterThan(0);
    expect(rule.help.markdown.length).toBeGreaterThan(0);
    expect(LEVELS).toContain(rule.defaultConfiguration.level);
  }
  for (const result of run.results) {
    keysAllowed("result", result);
    expect(driver.rules[result.ruleIndex]?.id).toBe(result.ruleId);
    expect(["error", "warning", "note"]).toContain(result.level);
    expect(result.message.text.length).toBeGreaterThan(0);
    expect(result.locations.length).toBeGreaterThan(0);
    for (const loc of result.locations) {
      keysAllowed("location", loc);
      for (const logical of loc.logicalLocations) keysAllowed("logicalLocation", logical);
      if (!loc.physicalLocation) continue;
      keysAllowed("physicalLocation", loc.physicalLocation);
      const uri = loc.physicalLocation.artifactLocation.uri;
      expect(uri, "relative, forward slashes, no scheme").toMatch(/^(?![a-z][a-z0-9+.-]*:)(?!\/)(?!\.\/)[^\\\s]+$/i);
      const region = loc.physicalLocation.region;
      if (region) expect(Number.isInteger(region.startLine) && region.startLine >= 1).toBe(true);
    }
    for (const s of result.suppressions ?? []) {
      keysAllowed("suppression", s);
      expect(["inSource", "external"]).toContain(s.kind);
      expect(["accepted", "underReview", "rejected"]).toContain(s.status);
    }
  }
}

describe("sarif format", () => {
  it("is checked against the official schema, which rejects what GitHub would refuse", () => {
    expect(sarifSchemaErrors({ version: "2.1.0" })).toMatch(/required property 'runs'/);
    const driver = { name: "x", informationUri: "not a uri" };
    const wrong = { version: "2.1.0", runs: [{ tool: { driver }, results: [{ message: { text: "m" }, level: "fatal" }] }] };
    const errors = sarifSchemaErrors(wrong);
    expect(errors).toMatch(/informationUri must match format "uri"/);
    expect(errors).toMatch(/level must be equal to one of the allowed values/);
    expect(sarifSchemaErrors({ version: "2.1.0", runs: [{ tool: { driver: { name: "x" } }, extra: 1 }] })).toMatch(/additional properties/);
  });

  it("is structurally valid SARIF 2.1.0 with the whole registry as rules", () => {
    const log = JSON.parse(renderSarif(reportOf(brokenFindings()), { baseDir: "/repo", anchorFile: "azure-auth-gate.yml" })) as SarifLog;
    validate(log);
    expect(log.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(allRules().map((r) => r.id));
    const ag104 = log.runs[0]!.tool.driver.rules.find((r) => r.id === "AG104")!;
    expect(ag104).toMatchObject({ name: "PodTemplateLacksTheWorkloadIdentityLabel", defaultConfiguration: { level: "error" } });
    expect(log.runs[0]!.tool.driver.rules.find((r) => r.id === "AG212")!.defaultConfiguration.level).toBe("note");
  });

  it("maps each finding to a result: level, message (title + evidence + fix), file and line", () => {
    const log = JSON.parse(renderSarif(reportOf(brokenFindings()), { baseDir: "/repo" })) as SarifLog;
    const results = log.runs[0]!.results;
    expect(results.map((r) => [r.ruleId, r.level])).toEqual([
      ["AG104", "error"],
      ["AG102", "error"],
      ["AG209", "warning"],
      ["AG107", "warning"],
      ["AG212", "note"],
    ]);
    const ag104 = results[0]!;
    expect(ag104.message.text).toContain("Pod template lacks the Workload Identity label");
    expect(ag104.message.text).toContain("pod template labels lack");
    expect(ag104.message.text).toContain('azure.workload.identity/use: "true"');
    expect(ag104.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: "k8s/app.yaml" }, region: { startLine: 23 } });
    expect(ag104.locations[0]!.logicalLocations[0]).toEqual({
      name: "backend",
      fullyQualifiedName: "Deployment production/backend",
      kind: "resource",
    });
  });

  it("never invents a line: Azure findings get the target as logical location, anchored to the config file without a region", () => {
    const anchored = JSON.parse(
      renderSarif(reportOf(brokenFindings(), { config: "deploy/azure-auth-gate.yml" }), { baseDir: "/repo" }),
    ) as SarifLog;
    validate(anchored);
    const ag209 = anchored.runs[0]!.results.find((r) => r.ruleId === "AG209")!;
    expect(ag209.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: "deploy/azure-auth-gate.yml" } });
    expect(ag209.locations[0]!.logicalLocations[0]!.fullyQualifiedName).toBe(
      "azure /subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-app",
    );

    const bare = JSON.parse(renderSarif(reportOf(brokenFindings()), { baseDir: "/repo" })) as SarifLog;
    const loc = bare.runs[0]!.results.find((r) => r.ruleId === "AG209")!.locations[0]!;
    expect(loc.physicalLocation).toBeUndefined();
    expect(loc.logicalLocations).toHaveLength(1);
  });

  it("gives stdin findings a logical location, not a fake file", () => {
    const f = raise("AG104", {
      target: { kind: "Deployment", namespace: "prod", name: "web" },
      location: { file: "<stdin>", line: 12 },
      evidence: "no label",
      fix: "add it",
    });
    const log = JSON.parse(renderSarif(reportOf([f]), { baseDir: "/repo" })) as SarifLog;
    validate(log);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation).toBeUndefined();
  });

  it("puts waived findings in suppressions with the reason", () => {
    const report = buildReport(brokenFindings(), runMetadata(["static"], {}, NOW), {
      waivers: [{ id: "AG107", reason: "legacy namespace (OPS-9)" }],
    });
    const log = JSON.parse(renderSarif(report, { baseDir: "/repo" })) as SarifLog;
    validate(log);
    const waived = log.runs[0]!.results.filter((r) => r.suppressions);
    expect(waived.map((r) => r.ruleId)).toEqual(["AG107"]);
    expect(waived[0]!.suppressions).toEqual([{ kind: "external", status: "accepted", justification: "legacy namespace (OPS-9)" }]);
  });

  it("keeps fingerprints stable when lines move", () => {
    const a = JSON.parse(renderSarif(reportOf(brokenFindings()))) as SarifLog;
    const moved = brokenFindings().map((f) => (f.location ? { ...f, location: { ...f.location, line: f.location.line + 10 } } : f));
    const b = JSON.parse(renderSarif(reportOf(moved))) as SarifLog;
    expect(b.runs[0]!.results.map((r) => r.partialFingerprints)).toEqual(a.runs[0]!.results.map((r) => r.partialFingerprints));
  });

  it("writes artifact URIs relative with forward slashes and percent-encoding", () => {
    expect(artifactUri("k8s/app.yaml", "/repo")).toBe("k8s/app.yaml");
    expect(artifactUri("./k8s/app.yaml", "/repo")).toBe("k8s/app.yaml");
    expect(artifactUri("/repo/charts/my app/values.yaml", "/repo")).toBe("charts/my%20app/values.yaml");
    expect(artifactUri("k8s\\win\\app.yaml", "/repo")).toBe("k8s/win/app.yaml");
    expect(artifactUri("k8s/evil|name#1.yaml", "/repo")).toBe("k8s/evil%7Cname%231.yaml");
    expect(artifactUri("<stdin>", "/repo")).toBeUndefined();
    const log = JSON.parse(renderSarif(reportOf(hostileFindings()), { baseDir: "/repo" })) as SarifLog;
    validate(log);
  });
});
