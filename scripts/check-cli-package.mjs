// The CLI as a user gets it from npm: build the bundle, `npm pack dist/cli` (the published folder, see
// bundle-cli.mjs), install the tarball into an empty prefix — it must bring no dependency along — then run the installed `azure-auth-gate` from an unrelated folder — `--version`, `--help`, and
// README's first CLI examples (the ```bash block under "## CLI") on the shipped example manifests. Exits non-zero
// with one line per failure. Run by .ci/run; `node scripts/check-cli-package.mjs [--keep]` by hand.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
const tmp = mkdtempSync(path.join(tmpdir(), "aag-pack-"));
const failures = [];
const fail = (line) => {
  failures.push(line);
  process.stderr.write(`FAIL ${line}\n`);
};
const log = (line) => process.stderr.write(`${line}\n`);

// 1. Build and pack: the tarball holds the runtime only (the bundle, its sourcemaps and licences, README, package.json).
execFileSync(process.execPath, [path.join(ROOT, "scripts", "bundle-cli.mjs")], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
const packageDir = path.join(ROOT, "dist", "cli");
const packed = JSON.parse(
  execFileSync("npm", ["pack", packageDir, "--json", "--pack-destination", tmp], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }),
)[0];
const files = packed.files.map((f) => f.path);
log(
  `packed ${packed.filename}: ${files.length} files, ${(packed.size / 1e6).toFixed(1)} MB (${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked)`,
);
const allowed = (f) =>
  /^(package\.json|README\.md|LICENSE|THIRD_PARTY_LICENSES\.txt)$/.test(f) || /^(bin|chunks\/[\w.-]+)\.js(\.map)?$/.test(f);
for (const f of files.filter((f) => !allowed(f))) fail(`tarball ships a non-runtime file: ${f}`);
for (const need of ["bin.js", "bin.js.map", "THIRD_PARTY_LICENSES.txt", "LICENSE", "README.md"])
  if (!files.includes(need)) fail(`tarball lacks ${need}`);
for (const f of files.filter((f) => f.endsWith(".js") && !files.includes(`${f}.map`))) fail(`tarball ships ${f} without its sourcemap`);
const manifest = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8"));
if (manifest.name !== pkg.name || manifest.version !== pkg.version)
  fail(`packed manifest is ${manifest.name}@${manifest.version}, want ${pkg.name}@${pkg.version}`);
for (const field of ["dependencies", "optionalDependencies", "peerDependencies", "bundleDependencies", "scripts"]) {
  if (manifest[field] !== undefined) fail(`packed package.json declares ${field}: the bundle must need nothing installed beside it`);
}
// Every module the bundle leaves to Node must be a builtin, or one of ws's optional speed-ups (loaded in a try/catch).
const OPTIONAL_EXTERNALS = new Set(["bufferutil", "utf-8-validate"]);
const meta = JSON.parse(readFileSync(path.join(ROOT, "dist", "cli-meta.json"), "utf8"));
const externals = new Set(Object.values(meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)));
// A `node:` specifier is a builtin by construction (`node:sqlite` is one on Node ≥ 22.5 only, not on the Node 20 CI runs this on).
for (const ext of externals)
  if (!ext.startsWith("node:") && !isBuiltin(ext) && !OPTIONAL_EXTERNALS.has(ext))
    fail(`the bundle leaves ${ext} external: it would be missing after install`);

// 2. Install into an empty prefix, as `npm install -g` would for a user.
const prefix = path.join(tmp, "prefix");
execFileSync("npm", ["install", "-g", "--prefix", prefix, "--no-audit", "--no-fund", "--prefer-offline", path.join(tmp, packed.filename)], {
  stdio: ["ignore", "inherit", "inherit"],
});
const bin = path.join(prefix, "bin", "azure-auth-gate");
if (!existsSync(bin)) fail(`npm install did not link ${bin}`);
const globalModules = path.join(prefix, "lib", "node_modules");
const installed = readdirSync(globalModules);
if (installed.join() !== pkg.name) fail(`the install left ${installed.join(", ")} in ${globalModules} (want only ${pkg.name})`);
if (existsSync(path.join(globalModules, pkg.name, "node_modules")))
  fail(`the install pulled dependencies into ${path.join(globalModules, pkg.name, "node_modules")}`);
else log(`ok installed ${pkg.name} alone: no dependencies`);

// 3. Run the installed bin from an unrelated folder (nothing of the checkout on its module path).
const cwd = mkdtempSync(path.join(tmp, "user-"));
function run(args, options = {}) {
  const r = spawnSync(bin, args, { cwd, encoding: "utf8", input: options.input ?? "", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
const noStack = (what, r) => {
  if (/\n\s+at .+:\d+:\d+\)?/.test(r.stderr)) fail(`${what}: stack trace on stderr: ${r.stderr.split("\n").slice(0, 3).join(" | ")}`);
};

const version = run(["--version"]);
if (version.code !== 0 || version.stdout.trim() !== pkg.version)
  fail(
    `--version: exit ${version.code}, printed ${JSON.stringify(version.stdout.trim())} (want ${pkg.version}); ${version.stderr.split("\n")[0]}`,
  );
else log(`ok --version → ${version.stdout.trim()}`);
const help = run(["--help"]);
if (help.code !== 0 || !help.stdout.includes("azure-auth-gate check")) fail(`--help: exit ${help.code}; ${help.stderr.split("\n")[0]}`);
else log(`ok --help (${help.stdout.split("\n").length} lines)`);

// README's first CLI examples, with `k8s/` → a shipped example folder and the pipe's producer → `cat` of its files.
// Lines that need Azure (--config) are the sandbox flow's business, not the package's.
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
// The first bash block of the "## CLI" section (prose may come before it; the next "## " heading ends the section).
const block = /^## CLI\n(?:(?!^## )[\s\S])*?```bash\n([\s\S]*?)```/m.exec(readme)?.[1];
if (!block) fail("README has no ```bash block under '## CLI'");
const broken = path.join(ROOT, "examples", "django-broken");
// What `helm template` / `kustomize build` would print: every manifest of the folder as one multi-document stream.
const brokenYaml = readdirSync(broken)
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => readFileSync(path.join(broken, f), "utf8"))
  .join("\n---\n");
const onPath = (tool) => (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir !== "" && existsSync(path.join(dir, tool)));
const examples = (block ?? "")
  .split("\n")
  .map((l) => l.replace(/\s+#.*$/, "").trim())
  .filter((l) => l.includes("azure-auth-gate") && !l.includes("--config"));
if (examples.length < 3) fail(`README's CLI block has ${examples.length} static examples (expected the check/fix/rules ones)`);
for (const line of examples) {
  const piped = line.includes("|");
  const command = (piped ? line.split("|")[1] : line).trim();
  const words = command.split(/\s+/);
  if (words[0] === "npx") words.shift();
  if (words.shift() !== "azure-auth-gate") {
    fail(`README example does not start with azure-auth-gate: ${line}`);
    continue;
  }
  // A chart example renders with `helm template`: it needs helm on PATH (GitHub-hosted runners have it) and a chart.
  if (words.some((w) => w.startsWith("--helm-")) && !onPath("helm")) {
    log(`skipped ${line} (needs helm on PATH; test/static/render.test.ts covers it with a stand-in helm)`);
    continue;
  }
  const args = words.map((w) => (w === "k8s/" ? broken : w === "--write" ? "--diff" : w));
  const r = run(args, piped ? { input: brokenYaml } : {});
  noStack(line, r);
  const outFile = args.includes("--output") ? path.join(cwd, args[args.indexOf("--output") + 1]) : undefined;
  // The broken example blocks (exit 1) where it is checked; fix and rules succeed; 2 and 3 are failures here.
  if (r.code !== 0 && r.code !== 1) fail(`${line}: exit ${r.code}; ${r.stderr.split("\n")[0]}`);
  else if (outFile && !existsSync(outFile)) fail(`${line}: did not write ${outFile}`);
  else if (!outFile && r.stdout.trim() === "") fail(`${line}: printed nothing`);
  else log(`ok ${line} → exit ${r.code}`);
  if (outFile?.endsWith(".sarif") && existsSync(outFile)) {
    const sarif = JSON.parse(readFileSync(outFile, "utf8"));
    if (sarif.version !== "2.1.0" || !(sarif.runs?.[0]?.results?.length > 0))
      fail(`${line}: ${outFile} is not a SARIF 2.1.0 report with results`);
  }
}

// The sandbox is a development tool: the installed package says so in one line (exit 2), it does not crash.
const sandbox = run(["sandbox"]);
noStack("sandbox", sandbox);
if (sandbox.code !== 2 || sandbox.stderr.trim().split("\n").length !== 1)
  fail(`sandbox from the installed package: exit ${sandbox.code}, stderr ${JSON.stringify(sandbox.stderr.slice(0, 200))}`);
else log(`ok sandbox → exit 2: ${sandbox.stderr.trim().slice(0, 100)}…`);

if (!process.argv.includes("--keep")) rmSync(tmp, { recursive: true, force: true });
else log(`kept ${tmp}`);
if (failures.length > 0) {
  process.stderr.write(`check-cli-package: ${failures.length} failure(s)\n`);
  process.exit(1);
}
log("check-cli-package: the packed CLI installs and runs");
