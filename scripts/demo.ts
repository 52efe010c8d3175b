/**
 * `npm run demo` (CI runs it): the gate's main job, end to end, on the built-in local Azure sandbox — no
 * Azure account, nothing leaves 127.0.0.1. The seed-000 outage (leftover AZURE_* variables, no Workload
 * Identity pod label) makes the app fail the way `manage.py migrate` failed for the team; the gate blocks
 * the deploy and names the fixes; the demo applies them to the manifests and the cluster; the gate passes
 * on every layer and the app starts. The steps live in scripts/demo/; the process exits 0 only when every
 * step behaved as expected, and the sandbox is stopped on every path (also on Ctrl-C).
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runDemo } from "./demo/runner.js";
import { DemoSession, sandboxSteps } from "./demo/steps.js";

export { runDemo, type DemoStep } from "./demo/runner.js";
export { DemoSession, sandboxSteps } from "./demo/steps.js";

/** The whole demo, with its own session; resolves to the exit code. */
export async function demo(session = new DemoSession()): Promise<number> {
  return runDemo(sandboxSteps(session), { cleanup: () => session.stop(), secrets: () => session.secrets });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const session = new DemoSession();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      process.stdout.write(`\nDemo interrupted (${signal}): stopping the sandbox…\n`);
      void session.stop().finally(() => process.exit(130));
    });
  }
  process.exitCode = await demo(session);
}
