/**
 * Reading manifests for a check: every source parsed (parse.ts), then modelled (workloads.ts). A file
 * refused at either step — malformed or templated YAML, a workload without a containers list, a
 * ServiceAccount name no API server accepts — is left out whole and named in `refused`; the rest is checked.
 */
import type { InputError } from "../errors.js";
import { parseSources, type ManifestSet, type ManifestSource, type SkippedInput } from "./parse.js";
import { modelledSet } from "./workloads.js";

/** Reads every source, refusing unusable files one by one; throws only when nothing at all is usable. */
export function readManifests(
  sources: readonly ManifestSource[],
  skippedBefore: readonly SkippedInput[] = [],
  refusedBefore: readonly InputError[] = [],
): ManifestSet {
  return modelledSet(parseSources(sources, skippedBefore, refusedBefore));
}
