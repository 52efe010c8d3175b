/** Shared helpers for the static-layer tests: parse inline YAML or fixture folders, pick findings. */
import { fileURLToPath } from "node:url";
import { relative } from "node:path";
import { expect } from "vitest";
import { InputError } from "../../shared/errors.js";
import type { Finding } from "../../shared/findings/model.js";
import { checkManifests, parseManifests, type ManifestSet } from "../../shared/static/index.js";
import { loadManifestSources } from "../../shared/static/sources.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURES = relative(process.cwd(), fileURLToPath(new URL("../fixtures/manifests/", import.meta.url)));
export const EXAMPLES = relative(process.cwd(), fileURLToPath(new URL("../../examples/", import.meta.url)));

function dedent(lines: string[]): string[] {
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  return Number.isFinite(indent) ? lines.map((l) => l.slice(indent)) : lines;
}

/**
 * Removes the indentation of inline YAML, document by document (so shared snippets can be spliced in);
 * line 1 is the first line after the opening backtick's newline.
 */
export function yaml(text: string): string {
  const out: string[] = [];
  let doc: string[] = [];
  for (const line of text.replace(/^\n/, "").split("\n")) {
    if (/^\s*---\s*$/.test(line)) {
      out.push(...dedent(doc), "---");
      doc = [];
    } else doc.push(line);
  }
  return [...out, ...dedent(doc)].join("\n");
}

export function parse(text: string, file = "manifests.yaml"): ManifestSet {
  return parseManifests([{ file, text: yaml(text) }]);
}

export function check(text: string, file = "manifests.yaml"): Finding[] {
  return checkManifests(parse(text, file));
}

export async function loadSet(...paths: string[]): Promise<ManifestSet> {
  const sources = await loadManifestSources(paths, () => Promise.reject(new Error("no stdin in this test")));
  return parseManifests(sources);
}

export async function checkPaths(...paths: string[]): Promise<Finding[]> {
  return checkManifests(await loadSet(...paths));
}

export function only(findings: Finding[], id: string): Finding[] {
  return findings.filter((f) => f.id === id);
}

export function ids(findings: Finding[]): string[] {
  return findings.map((f) => f.id).sort();
}

/** The InputError a function throws (sync or async), failing the test if it throws anything else. */
export async function inputError(fn: () => unknown): Promise<InputError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error("expected an InputError, nothing was thrown");
}
