/**
 * One measured gate run, in its own process (so peak memory is the gate's, not the sandbox's): the
 * CLI's `main` exactly as `azure-auth-gate check --config FILE --format json` runs it, signed in by
 * DefaultAzureCredential from AZURE_CLIENT_ID / AZURE_CLIENT_SECRET / AZURE_TENANT_ID. Prints one JSON
 * line: the wall time of the run (modules already loaded: the gate path, a dynamic import in the CLI, is
 * loaded before the clock starts), the time since the process started, peak RSS, the verdict and the
 * report's own call count. The whole process a user waits for is timed apart, on the bundled CLI.
 */
import { main } from "../../shared/cli/main.js";

await import("../../shared/cli/check-azure.js");

const configFile = process.argv[2];
if (!configFile) {
  process.stderr.write("usage: gate.ts CONFIG\n");
  process.exit(2);
}
let stdout = "";
let stderr = "";
const started = performance.now();
const code = await main(["check", "--config", configFile, "--allow-custom-cloud", "--format", "json", "--fail-on", "never"], {
  stdin: (async function* () {})(),
  stdout: { write: (chunk: string) => (stdout += chunk) },
  stderr: { write: (chunk: string) => (stderr += chunk) },
  env: process.env,
});
const seconds = (performance.now() - started) / 1000;
let verdict = "unknown";
let azureCalls: number | undefined;
let findings: string[] = [];
try {
  const report = JSON.parse(stdout) as { verdict: string; metadata: { azureCalls?: number }; findings: { id: string; evidence: string }[] };
  verdict = report.verdict;
  azureCalls = report.metadata.azureCalls;
  findings = report.findings.map((f) => `${f.id}: ${f.evidence.slice(0, 160)}`);
} catch {
  // A non-JSON stdout is reported through `code` and `stderr`.
}
process.stdout.write(
  `${JSON.stringify({ code, seconds, processSeconds: performance.now() / 1000, maxRssMB: process.resourceUsage().maxRSS / 1024, verdict, azureCalls, findings, stderr: stderr.slice(0, 500) })}\n`,
);
