/**
 * Charts and overlays found in a scanned directory, rendered the way they would be deployed: a directory
 * with Chart.yaml by `helm template`, one with kustomization.yaml by `kustomize build` (or `kubectl
 * kustomize`). The directory is untrusted input, so the renderer runs as a plain program (execFile, no
 * shell, every argument its own), with a timeout, an output cap, no plugins or exec functions (no
 * --enable-alpha-plugins, no --enable-helm, an empty plugin directory), an empty PATH (a remote base
 * cannot start git) and a proxy that leads nowhere; remote bases are refused before kustomize runs.
 * Without the tool the directory is skipped with a notice naming the exact command to pipe in.
 */
import { execFile } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, delimiter, isAbsolute, join, relative, resolve } from "node:path";
import { quote } from "shell-quote";
import { LineCounter, parseAllDocuments, parseDocument } from "yaml";
import type { SourceLocation } from "../findings/model.js";
import { InputError } from "../errors.js";
import { MAX_FILE_BYTES, type ManifestSource } from "./parse.js";

/** Release name, namespace and values files for `helm template` (from the config or the command line). */
export interface HelmSettings {
  releaseName?: string;
  namespace?: string;
  /** Values files, absolute or relative to the process's directory, passed as `--values` in this order. */
  values?: string[];
}

export interface RenderSettings {
  helm?: HelmSettings;
  /** The PATH the renderers are looked up in (default: the process's). */
  searchPath?: string;
  timeoutMs?: number;
}

/** The names kustomize looks for (sources.ts keeps the same list, so a walk need not load this module). */
const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_RELEASE = "release-name";
/** Where a renderer's HTTP client would go for a URL: a closed loopback port (discard), so nothing is fetched. */
const NOWHERE = "http://127.0.0.1:9";

export type Rendered = { source: ManifestSource } | { skipped: string } | { refused: InputError };

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The tool's absolute path on PATH (looked up here, so the child gets no PATH of its own). */
export async function findTool(name: string, searchPath = process.env.PATH ?? ""): Promise<string | undefined> {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue; // a relative PATH entry would run a program from the repository
    const file = join(dir, name);
    if (await executable(file)) return file;
  }
  return undefined;
}

function run(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      { cwd, env, timeout: timeoutMs, maxBuffer: MAX_FILE_BYTES, shell: false, windowsHide: true, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (!err) return resolvePromise(stdout);
        const killed = (err as { killed?: boolean }).killed === true;
        // kubectl prefixes its errors with a klog header (E1203 06:05:21.045665 29211 run.go:72]): the message is what follows.
        const first = (
          stderr
            .split("\n")
            .find((l) => l.trim() !== "")
            ?.trim() ??
          err.message.split("\n")[0] ??
          "failed"
        ).replace(/^[EWIF]\d{4} [\d:.]+\s+\d+ [\w.-]+:\d+\]\s*/, "");
        reject(new Error(killed ? `did not finish within ${Math.round(timeoutMs / 1000)} s` : first.slice(0, 300)));
      },
    );
  });
}

/** An environment with nothing of the user's: no PATH, no credentials, no kubeconfig, an empty home and plugin dir. */
async function isolatedEnv(): Promise<{ env: NodeJS.ProcessEnv; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), "aag-render-"));
  const env: NodeJS.ProcessEnv = {
    PATH: "",
    HOME: home,
    HELM_PLUGINS: join(home, "plugins"),
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
    KUBECONFIG: join(home, "no-kubeconfig"),
    HTTP_PROXY: NOWHERE,
    HTTPS_PROXY: NOWHERE,
    http_proxy: NOWHERE,
    https_proxy: NOWHERE,
    NO_PROXY: "",
    GIT_TERMINAL_PROMPT: "0",
  };
  return { env, cleanup: () => rm(home, { recursive: true, force: true }) };
}

/** `# Source: chart/templates/x.yaml` lines → where each rendered line came from. */
function helmOrigin(dir: string, rendered: string, templates: Map<string, string[]>): (line: number) => SourceLocation {
  const lines = rendered.split("\n");
  const sourceAt: ({ file: string; start: number } | undefined)[] = [];
  let current: { file: string; start: number } | undefined;
  for (const [i, text] of lines.entries()) {
    if (/^---\s*$/.test(text)) current = undefined;
    const m = /^# Source: (.+?)\s*$/.exec(text);
    if (m?.[1]) {
      // helm names templates by chart name, not directory: drop the first segment, keep the rest (subcharts too).
      const rel = m[1].split("/").slice(1).join("/");
      const file = join(dir, rel);
      current = templates.has(file) ? { file, start: i + 1 } : undefined;
    }
    sourceAt.push(current);
  }
  const chart = { file: join(dir, "Chart.yaml"), line: 1 };
  return (line: number) => {
    const src = sourceAt[line - 1];
    const template = src ? templates.get(src.file) : undefined;
    if (!src || !template) return chart;
    return { file: src.file, line: templateLine(template, lines[line - 1] ?? "", line - src.start) };
  };
}

/** The template line that rendered `text`: the same text (or key) nearest to the same offset; else line 1. */
export function templateLine(template: readonly string[], text: string, offset: number): number {
  const wanted = text.trim();
  if (!wanted) return 1;
  const key = /^(?:-\s+)?([^\s:#][^:#]*?):(?:\s|$)/.exec(wanted)?.[1];
  const exact: number[] = [];
  const byKey: number[] = [];
  for (const [i, line] of template.entries()) {
    const t = line.trim();
    if (t === wanted) exact.push(i);
    else if (key !== undefined && t.replace(/^-\s+/, "").startsWith(`${key}:`)) byKey.push(i);
  }
  const pool = exact.length > 0 ? exact : byKey;
  if (pool.length === 0) return 1;
  const nearest = pool.reduce((best, i) => (Math.abs(i - offset) < Math.abs(best - offset) ? i : best));
  return nearest + 1;
}

async function templateFiles(dir: string, rendered: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const m of rendered.matchAll(/^# Source: (.+?)\s*$/gm)) {
    const rel = (m[1] ?? "").split("/").slice(1).join("/");
    const file = join(dir, rel);
    const within = relative(dir, file);
    if (out.has(file) || !rel || within.startsWith("..") || isAbsolute(within)) continue;
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text !== undefined) out.set(file, text.split("\n"));
  }
  return out;
}

function helmArgs(dir: string, settings: HelmSettings): string[] {
  const args = ["template", settings.releaseName ?? DEFAULT_RELEASE, dir];
  if (settings.namespace) args.push("--namespace", settings.namespace);
  for (const v of settings.values ?? []) args.push("--values", v);
  return args;
}

/** The command a user without the tool runs instead, quoted for a POSIX shell. */
export function pipeCommand(argv: string[]): string {
  return `${quote(argv)} | azure-auth-gate check -`;
}

export async function renderHelm(dir: string, settings: RenderSettings = {}): Promise<Rendered> {
  const helm = settings.helm ?? {};
  for (const v of helm.values ?? []) {
    // helm fetches values from URLs and plugin schemes: only local files are passed.
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v))
      return {
        refused: new InputError(`values file '${v}' is a URL: only local values files are passed to helm`, {
          file: dir,
          field: "helm.values",
        }),
      };
  }
  const args = helmArgs(dir, helm);
  const tool = await findTool("helm", settings.searchPath);
  if (!tool) return { skipped: `Helm chart, and helm is not on PATH: render it yourself with \`${pipeCommand(["helm", ...args])}\`` };
  const { env, cleanup } = await isolatedEnv();
  try {
    const absolute = args.map((a, i) => (i === 2 || (i > 2 && args[i - 1] === "--values") ? resolve(a) : a));
    const text = await run(tool, absolute, dir, env, settings.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    // helm prints absolute chart paths in nothing but `# Source:` (chart-relative): no rewrite needed.
    const templates = await templateFiles(dir, text);
    return { source: { file: `${dir} (helm template)`, text, origin: helmOrigin(dir, text, templates) } };
  } catch (err) {
    return { refused: new InputError(`helm template failed: ${err instanceof Error ? err.message : String(err)}`, { file: dir }) };
  } finally {
    await cleanup();
  }
}

/** The kustomization file of a directory, if it has one. */
export async function kustomizationFile(dir: string): Promise<string | undefined> {
  for (const name of KUSTOMIZATION_FILES) {
    const file = join(dir, name);
    if ((await stat(file).catch(() => undefined))?.isFile()) return file;
  }
  return undefined;
}

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/|[\w.-]+\.[a-z]{2,}\/[\w.-]+\/)/i;

/** The local kustomization directories a kustomization refers to, and any remote reference it makes. */
export async function kustomizationRefs(dir: string): Promise<{ local: string[]; remote: string[]; files: string[] }> {
  const file = await kustomizationFile(dir);
  const out = { local: [] as string[], remote: [] as string[], files: [] as string[] };
  if (!file) return out;
  const doc = parseDocument(await readFile(file, "utf8").catch(() => ""));
  const body = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null;
  if (!body || typeof body !== "object") return out;
  for (const key of ["resources", "bases", "components"]) {
    const entries = body[key];
    if (!Array.isArray(entries)) continue;
    for (const e of entries) {
      if (typeof e !== "string") continue;
      const path = resolve(dir, e);
      if (REMOTE.test(e)) out.remote.push(e);
      else if (await kustomizationFile(path)) out.local.push(path);
      else if ((await stat(path).catch(() => undefined))?.isFile()) out.files.push(path);
    }
  }
  return out;
}

/** Every remote reference of a kustomization and the local ones it builds on, and their resource files (each directory read once). */
async function closure(dir: string, seen = new Set<string>()): Promise<{ remote: string[]; files: string[] }> {
  if (seen.has(dir)) return { remote: [], files: [] };
  seen.add(dir);
  const refs = await kustomizationRefs(dir);
  const nested = await Promise.all(refs.local.map((d) => closure(d, seen)));
  return { remote: [...refs.remote, ...nested.flatMap((n) => n.remote)], files: [...refs.files, ...nested.flatMap((n) => n.files)] };
}

interface ObjectText {
  key: string;
  name: string;
  file: string;
  /** 1-based line of the document's first line, and the document's lines. */
  start: number;
  lines: string[];
}

/** The objects of a YAML text by kind and name, with the lines each document spans. */
function objectTexts(file: string, text: string): ObjectText[] {
  const lineCounter = new LineCounter();
  const out: ObjectText[] = [];
  const all = text.split("\n");
  for (const doc of parseAllDocuments(text, { lineCounter })) {
    if (Array.isArray(doc) || doc.errors.length > 0 || !doc.range) continue;
    const kind = doc.getIn(["kind"]);
    const name = doc.getIn(["metadata", "name"]);
    if (typeof kind !== "string" || typeof name !== "string") continue;
    const start = lineCounter.linePos(doc.range[0]).line;
    const end = lineCounter.linePos(doc.range[2]).line;
    out.push({ key: `${kind}/${name}`, name, file, start, lines: all.slice(start - 1, end) });
  }
  return out;
}

/**
 * kustomize prints no source comments: an object of the output is found in the resource files by kind and
 * name (a namePrefix/nameSuffix still contains the name), the line by its text; else the kustomization.
 */
async function kustomizeOrigin(
  kustomization: string,
  rendered: string,
  files: readonly string[],
): Promise<(line: number) => SourceLocation> {
  const sources = (await Promise.all(files.map(async (f) => objectTexts(f, await readFile(f, "utf8").catch(() => ""))))).flat();
  const out = objectTexts("", rendered);
  const renderedLines = rendered.split("\n");
  const fallback = { file: kustomization, line: 1 };
  const matches = out.map((o) => {
    const kind = o.key.split("/")[0];
    const exact = sources.find((s) => s.key === o.key);
    return (
      exact ??
      sources.filter((s) => s.key.startsWith(`${kind}/`) && o.name.includes(s.name)).sort((a, b) => b.name.length - a.name.length)[0]
    );
  });
  return (line: number) => {
    const i = out.findIndex((o) => line >= o.start && line < o.start + o.lines.length);
    const src = i >= 0 ? matches[i] : undefined;
    if (!src) return fallback;
    return { file: src.file, line: src.start - 1 + templateLine(src.lines, renderedLines[line - 1] ?? "", line - out[i]!.start) };
  };
}

export async function renderKustomize(dir: string, settings: RenderSettings = {}): Promise<Rendered> {
  const kustomization = (await kustomizationFile(dir)) ?? join(dir, "kustomization.yaml");
  const { remote, files } = await closure(resolve(dir));
  if (remote.length > 0) {
    return {
      refused: new InputError(
        `refers to a remote base (${remote[0]}): the gate never fetches what a repository points at; build it yourself and pipe it in with \`${pipeCommand(["kubectl", "kustomize", dir])}\``,
        { file: kustomization },
      ),
    };
  }
  const kustomize = await findTool("kustomize", settings.searchPath);
  const kubectl = kustomize ? undefined : await findTool("kubectl", settings.searchPath);
  if (!kustomize && !kubectl)
    return {
      skipped: `kustomization, and neither kustomize nor kubectl is on PATH: build it yourself with \`${pipeCommand(["kustomize", "build", dir])}\``,
    };
  // Default load restrictor (files only from inside the kustomization root); no plugins, no helm, no exec functions.
  const [tool, args] = kustomize ? [kustomize, ["build", resolve(dir)]] : [kubectl!, ["kustomize", resolve(dir)]];
  const { env, cleanup } = await isolatedEnv();
  try {
    const text = await run(tool, args, dir, env, settings.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    // Files named the way the user named the directory: relative stays relative (PR annotations), absolute stays absolute.
    const origin = await kustomizeOrigin(
      kustomization,
      text,
      files.map((f) => (isAbsolute(dir) ? f : relative(process.cwd(), f) || f)),
    );
    return { source: { file: `${dir} (${kustomize ? "kustomize build" : "kubectl kustomize"})`, text, origin } };
  } catch (err) {
    return {
      refused: new InputError(`${basename(tool)} ${args[0]} failed: ${err instanceof Error ? err.message : String(err)}`, {
        file: kustomization,
      }),
    };
  } finally {
    await cleanup();
  }
}
