/**
 * The `manifests` input: paths, directories and globs (newline- or comma-separated), relative to the
 * workspace, read by the static layer's loader. Paths stay as the user wrote them, so findings and
 * annotations point at repository-relative files.
 */
import { globSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { InputError } from "../shared/errors.js";
import { readManifests, type ManifestSet } from "../shared/static/index.js";
import type { ManifestSource } from "../shared/static/parse.js";
import type { HelmSettings } from "../shared/static/render.js";
import { collectManifests } from "../shared/static/sources.js";

export interface Manifests {
  set: ManifestSet;
  inputs: string[];
  /** The files' text under their repository-relative paths (what the fix edits and the PR diff names). */
  sources: ManifestSource[];
}

const GLOB = /[*?[\]{}]/;

/** Expands globs (sorted, so the report is stable); a glob that matches nothing is an input error. */
export function expandManifestPaths(entries: readonly string[], workspace: string, globbed?: Set<string>): string[] {
  const out: string[] = [];
  for (const entry of entries) {
    if (entry === "-")
      throw new InputError("stdin ('-') is not available in the Action: give paths or globs", { field: "input manifests" });
    if (!GLOB.test(entry)) {
      out.push(entry);
      continue;
    }
    const matches = globSync(entry, { cwd: workspace }).sort();
    if (matches.length === 0) throw new InputError(`'${entry}' matches no file`, { field: "input manifests" });
    out.push(...matches);
    for (const m of matches) globbed?.add(m);
  }
  return [...new Set(out)];
}

function workspaceRelative(file: string, workspace: string): string {
  const rel = relative(workspace, resolve(process.cwd(), file));
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : file;
}

export async function loadManifests(entries: readonly string[], workspace: string, helm: HelmSettings = {}): Promise<Manifests> {
  const matched = new Set<string>();
  const paths = expandManifestPaths(entries, workspace, matched);
  // The loader reads relative to the process's directory; on a runner that is the workspace already.
  const readable = paths.map((p) => (isAbsolute(p) ? p : relative(process.cwd(), resolve(workspace, p)) || "."));
  const collected = await collectManifests(
    readable,
    () => Promise.reject(new InputError("stdin is not available in the Action", { field: "input manifests" })),
    {
      // A link in the checked-out repository never leads the gate out of the workspace.
      root: workspace,
      // Charts and overlays are rendered with the runner's helm / kustomize / kubectl (GitHub-hosted runners have them).
      render: { helm },
      // A glob is a walk the user wrote down: other tools' YAML it matches is skipped, not refused.
      globbed: new Set(
        paths.filter((p) => matched.has(p)).map((p) => (isAbsolute(p) ? p : relative(process.cwd(), resolve(workspace, p)) || ".")),
      ),
    },
  );
  // Findings name files relative to the repository root, so annotations land on the pull request's diff.
  const rel = (file: string) => workspaceRelative(file, workspace);
  const inRepo = collected.sources.map((s) => ({ ...s, file: rel(s.file) }));
  const skipped = collected.skipped.map((s) => ({ ...s, file: rel(s.file) }));
  const refused = collected.refused.map(
    (e) =>
      new InputError(e.message, {
        ...(e.file ? { file: rel(e.file) } : {}),
        ...(e.line !== undefined ? { line: e.line } : {}),
        ...(e.field ? { field: e.field } : {}),
      }),
  );
  return { set: readManifests(inRepo, skipped, refused), inputs: paths, sources: inRepo };
}
