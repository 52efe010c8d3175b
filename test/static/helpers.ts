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

/** The user-assigned identity's client id the rule tests' ServiceAccounts carry. */
export const CLIENT_ID = "3f8c2a91-6d0e-4b7a-9e15-2c4d8b7a1f60";

/** ServiceAccount production/backend annotated with CLIENT_ID, as a document to splice before a workload. */
export const ANNOTATED_SERVICE_ACCOUNT = `
  apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: backend
    namespace: production
    annotations:
      azure.workload.identity/client-id: "${CLIENT_ID}"
  ---`;

/** App shop/web (a ServiceAccount + a Deployment) with working Workload Identity, for migration tests: lines 1–26, `---` on 27. */
export const MIGRATED_APP = `
  apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: web
    namespace: shop
    annotations:
      azure.workload.identity/client-id: "${CLIENT_ID}"
  ---
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    namespace: shop
    labels: {app.kubernetes.io/instance: shop}
  spec:
    template:
      metadata:
        labels:
          app.kubernetes.io/instance: shop
          azure.workload.identity/use: "true"
      spec:
        serviceAccountName: web
        containers:
          - name: web
            image: registry.example.com/shop:1.0
            command: ["gunicorn", "shop.wsgi"]
  ---`;
