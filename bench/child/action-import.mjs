// Times `import()` of the committed Action bundle in a fresh plain-Node process (no tsx), with the runner's
// environment the parent set (INPUT_* from action.yml's defaults, mode static). The entry's top-level
// `await run()` makes the import last until the Action has finished: load + a static run, what a job step waits
// for once Node is up. Writes {"importSeconds"} to the file named by BENCH_OUT.
import { writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const [bundle] = process.argv.slice(2);
const t0 = performance.now();
await import(pathToFileURL(bundle).href);
const importSeconds = (performance.now() - t0) / 1000;
writeFileSync(process.env.BENCH_OUT, JSON.stringify({ importSeconds, exitCode: process.exitCode ?? 0 }));
