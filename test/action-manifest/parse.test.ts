import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { actionYmlPath, loadActionManifest, parseActionManifest } from "./manifest.js";

describe("action.yml under GitHub's own parser (action-root-strict)", () => {
  it("loads with no error and declares a node24 entry point that exists", () => {
    const parsed = parseActionManifest(readFileSync(actionYmlPath, "utf8"));
    expect(parsed.errors).toEqual([]);
    const template = loadActionManifest();
    expect(template.runs).toMatchObject({ using: "node24", main: "dist/action/index.js" });
    expect(template.name).toBe("Azure Auth Gate");
  });

  it("has a Marketplace-sized description (at most 125 characters)", () => {
    const template = loadActionManifest();
    expect(template.description.length).toBeGreaterThan(0);
    expect(template.description.length).toBeLessThanOrEqual(125);
  });

  it("rejects the broken manifest the issue reported (a plain scalar containing ': ')", () => {
    const original = readFileSync(actionYmlPath, "utf8");
    const broken = original.replace(
      /description: "Token for the PR comment \(needs `pull-requests: write`\)\."/,
      "description: Token for the PR comment (needs `pull-requests: write`).",
    );
    expect(broken).not.toBe(original);
    const parsed = parseActionManifest(broken);
    expect(parsed.template).toBeUndefined();
    expect(parsed.errors.join("\n")).toMatch(/Nested mappings are not allowed in compact mappings at line \d+/);
  });

  it("rejects schema violations the strict schema forbids", () => {
    const original = readFileSync(actionYmlPath, "utf8");
    const unknownKey = parseActionManifest(original.replace("branding:", "brandingg:"));
    expect(unknownKey.errors.length).toBeGreaterThan(0);
    const badRuntime = parseActionManifest(original.replace("using: node24", "using: node99"));
    expect(badRuntime.errors.length).toBeGreaterThan(0);
  });
});
