/**
 * The module graph of the CLI bundle from esbuild's metafile: what loads with a module through static imports
 * only (dynamic imports are separate chunks, loaded on first use), and which npm packages that is.
 */
import { readFileSync } from "node:fs";

interface Metafile {
  inputs: Record<string, { bytes: number; imports: { path: string; kind: string; external?: boolean }[] }>;
}

export function readMetafile(file: string): Metafile {
  return JSON.parse(readFileSync(file, "utf8")) as Metafile;
}

/** Every input reached from `entries` without crossing a dynamic import. */
export function staticClosure(meta: Metafile, entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    const input = meta.inputs[file];
    if (!input) throw new Error(`${file} is not in the bundle`);
    seen.add(file);
    for (const i of input.imports) if (i.kind !== "dynamic-import" && !i.external) queue.push(i.path);
  }
  return seen;
}

/** The npm packages (`@scope/name` or `name`) among the inputs. */
export function packagesOf(inputs: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const file of inputs) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    if (m?.[1]) names.add(m[1]);
  }
  return names;
}
