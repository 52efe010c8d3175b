/**
 * `npm run package:function`: the Function app as one zip for zip deploy (`az functionapp deployment source
 * config-zip`, or Core Tools), written to dist/function-app.zip. It holds host.json, a package.json with the
 * runtime fields only, the built code that dist/functions/index.js (the app package.json's `main`) actually reaches, and the
 * production dependency tree exactly as `npm ls --omit=dev` reports it — never the dev tree (Node binary, Azurite,
 * vitest). TypeScript declarations and source maps inside dependencies are left out: nothing executes them.
 * `--sweep-config FILE` adds your sweep config at the app root as sweep.yml (AAG_SWEEP_CONFIG=sweep.yml);
 * `--out FILE` writes elsewhere; `--built DIR` takes the compiled code from DIR instead of dist/ (the test compiles
 * into a temporary folder so it never rewrites dist/ under other running tests).
 */
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { build } from "esbuild";
import { zipSync, type Zippable } from "fflate";

const root = resolve(import.meta.dirname, "..");
const MAIN = "dist/functions/index.js";
// Fixed timestamps: the same tree gives the same zip bytes.
const MTIME = new Date("2020-01-01T00:00:00Z");
const SKIPPED_IN_DEPENDENCIES = /(\.d\.[cm]?ts|\.map)$/;

function fail(message: string): never {
  console.error(`package:function: ${message}`);
  process.exit(2);
}

interface Args {
  sweepConfig?: string;
  out: string;
  built: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { out: join(root, "dist", "function-app.zip"), built: join(root, "dist") };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === "--sweep-config" && value) args.sweepConfig = resolve(value);
    else if (argv[i] === "--out" && value) args.out = resolve(value);
    else if (argv[i] === "--built" && value) args.built = resolve(value);
    else fail(`unknown argument '${argv[i]}' (usage: npm run package:function [-- --sweep-config sweep.yml] [--out FILE])`);
    i++;
  }
  return args;
}

/** The compiled files the entry point imports, transitively (esbuild's import graph; dependencies stay external), relative to `built`. */
async function reachableBuiltFiles(built: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(built, "functions", "index.js")],
    absWorkingDir: built,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    write: false,
    metafile: true,
    logLevel: "error",
  });
  const files = Object.keys(result.metafile.inputs);
  for (const file of files)
    if (file.startsWith("..") || file.includes("node_modules/")) fail(`${MAIN} reaches ${file}, outside the compiled code`);
  return files;
}

/** Package folders of the production tree, relative to the root (nested copies included, the root excluded). */
function productionPackageDirs(): string[] {
  const out = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  const dirs = out
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => relative(root, line))
    .filter((dir) => dir !== "");
  for (const dir of dirs) if (!dir.startsWith(`node_modules${sep}`)) fail(`npm ls listed ${dir}, outside node_modules`);
  return dirs;
}

/** Files of one package, without its own nested node_modules (those are listed by npm as packages of their own). */
function packageFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (relDir: string) => {
    for (const entry of readdirSync(join(root, relDir), { withFileTypes: true })) {
      const rel = join(relDir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "node_modules") walk(rel);
      } else if (entry.isFile() && !SKIPPED_IN_DEPENDENCIES.test(entry.name)) files.push(rel);
      // Symlinks (node_modules/.bin shims) are not part of a package's files.
    }
  };
  walk(dir);
  return files;
}

/** package.json for the app: what the Functions host and Node read (type, main, dependencies), no scripts or dev tree. */
function runtimePackageJson(): string {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as Record<string, unknown>;
  // The repository's package.json has no `main`: npm always packs the `main` file, and the CLI's tarball must not carry
  // a Functions entry without the code it imports. The app's own package.json names it.
  const { name, version, description, type, license, engines, dependencies } = pkg;
  return `${JSON.stringify({ name, version, description, type, license, main: MAIN, engines, dependencies }, null, 2)}\n`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!existsSync(join(args.built, "functions", "index.js")))
    fail(`${join(args.built, "functions", "index.js")} is missing: run 'npm run build' first`);
  const tree: Zippable = {};
  const add = (path: string, data: Uint8Array) => {
    tree[path.split(sep).join("/")] = [data, { mtime: MTIME }];
  };
  add("host.json", readFileSync(join(root, "host.json")));
  add("package.json", Buffer.from(runtimePackageJson()));
  if (args.sweepConfig) {
    if (!existsSync(args.sweepConfig)) fail(`--sweep-config ${args.sweepConfig}: no such file`);
    add("sweep.yml", readFileSync(args.sweepConfig));
  }
  const code = await reachableBuiltFiles(args.built);
  // tsc copies the whole package.json to dist/ (shared/tool.ts imports it); the app gets the runtime fields there too.
  for (const file of code)
    add(join("dist", file), file === "package.json" ? Buffer.from(runtimePackageJson()) : readFileSync(join(args.built, file)));
  const packages = productionPackageDirs();
  let dependencyFiles = 0;
  for (const dir of packages) {
    if (!lstatSync(join(root, dir)).isDirectory()) fail(`${dir} is not installed: run 'npm ci'`);
    for (const file of packageFiles(dir)) {
      add(file, readFileSync(join(root, file)));
      dependencyFiles++;
    }
  }
  const zip = zipSync(tree, { level: 6 });
  const out = args.out;
  const temp = `${out}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, zip);
    renameSync(temp, out);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  const mib = (zip.byteLength / (1 << 20)).toFixed(1);
  const shown = relative(process.cwd(), out);
  console.log(
    `${shown.startsWith("..") ? out : shown}: ${mib} MiB, ${Object.keys(tree).length} files (${code.length} built, ${packages.length} production packages with ${dependencyFiles} files, host.json, package.json${args.sweepConfig ? ", sweep.yml" : ""})`,
  );
}

await main();
