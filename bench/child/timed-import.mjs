// `node timed-import.mjs MODULE [ARGS...]`: runs an ES module entry (the bundled CLI's bin.js, the Action's
// index.js) as if it were the process's main script (process.argv = [node, MODULE, ...ARGS]), in plain Node (no
// tsx), and on exit writes {"importSeconds","cpuSeconds","maxRssMB","exitCode"} to the file named by BENCH_OUT
// (cpuSeconds: user + system CPU of the whole process — unlike wall time, little changed by other work on the machine).
// importSeconds = `await import(MODULE)`: both entries finish their work in a top-level await, so it is load +
// run, everything after Node's own start-up. The parent times the whole process from spawn to exit.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const [entry, ...args] = process.argv.slice(2);
const file = path.resolve(entry);
process.argv = [process.argv[0], file, ...args];
let importSeconds = null;
process.on("exit", (code) => {
  const usage = process.resourceUsage();
  writeFileSync(
    process.env.BENCH_OUT,
    JSON.stringify({
      importSeconds,
      cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
      maxRssMB: usage.maxRSS / 1024,
      exitCode: code,
    }),
  );
});
const t0 = performance.now();
await import(pathToFileURL(file).href);
importSeconds = (performance.now() - t0) / 1000;
