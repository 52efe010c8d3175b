/**
 * Command-line paths → manifest texts. PATH is a file, a directory (every *.yaml / *.yml below it,
 * sorted, so reports are stable), or "-" for stdin. Anything unreadable is an InputError naming the path.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { MAX_FILE_BYTES, tooLarge, type ManifestSource } from "./parse.js";

const STDIN = "<stdin>";
const YAML_FILE = /\.ya?ml$/i;
// Dot-directories hold CI workflows (.github) and VCS data, never the manifests to deploy.
const SKIPPED_DIRS = new Set(["node_modules"]);

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return `cannot read it (${code ?? (err instanceof Error ? err.message : String(err))})`;
}

function decode(file: string, bytes: Buffer): string {
  if (bytes.length > MAX_FILE_BYTES) throw tooLarge(file);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new InputError("not UTF-8 text (a binary file?): manifests must be UTF-8 YAML", { file });
  }
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (err) {
      throw new InputError(reason(err), { file: current });
    }
    for (const e of entries) {
      const path = join(current, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith(".") && !SKIPPED_DIRS.has(e.name)) await walk(path);
      } else if (YAML_FILE.test(e.name) && (e.isFile() || (e.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isFile()))) {
        out.push(path);
      }
    }
  };
  await walk(dir);
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

async function readOne(file: string): Promise<ManifestSource> {
  const info = await stat(file).catch((err: unknown) => {
    throw new InputError(reason(err), { file });
  });
  // Checked before reading, so a multi-gigabyte file is refused without loading it.
  if (info.size > MAX_FILE_BYTES) throw tooLarge(file);
  const bytes = await readFile(file).catch((err: unknown) => {
    throw new InputError(reason(err), { file });
  });
  return { file, text: decode(file, bytes) };
}

export async function loadManifestSources(paths: string[], readStdin: () => Promise<string>): Promise<ManifestSource[]> {
  if (paths.length === 0) throw new InputError("no manifests given: pass a file, a directory, or - for stdin");
  const sources: ManifestSource[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    if (path === "-") {
      if (seen.has(STDIN)) continue;
      seen.add(STDIN);
      const text = await readStdin();
      if (Buffer.byteLength(text, "utf8") > MAX_FILE_BYTES) throw tooLarge(STDIN);
      sources.push({ file: STDIN, text });
      continue;
    }
    const info = await stat(path).catch((err: unknown) => {
      throw new InputError(reason(err), { file: path });
    });
    const files = info.isDirectory() ? await yamlFilesUnder(path) : [path];
    if (info.isDirectory() && files.length === 0) throw new InputError("no *.yaml or *.yml files in this directory", { file: path });
    for (const file of files) {
      if (seen.has(file)) continue;
      seen.add(file);
      sources.push(await readOne(file));
    }
  }
  return sources;
}
