/**
 * Microsoft's SARIF Multitool (`@microsoft/sarif-multitool`, a devDependency) as the judge of the product's
 * SARIF: `validate` checks the log against the SARIF 2.1.0 schema, the spec's SARIF1xxx rules, the SARIF2xxx
 * guidance rules and GitHub code scanning's ingestion rules (GH1xxx), and writes its verdict as SARIF.
 *
 * The Multitool is a native (.NET single-file) binary: it exists for linux-x64, darwin-x64 and win32-x64.
 * Anywhere else `multitoolPath()` throws, so the test fails with that message instead of passing unchecked.
 */
import { execFile } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Log } from "sarif";

const require = createRequire(import.meta.url);
const PLATFORMS = ["linux-x64", "darwin-x64", "win32-x64"];

/** The Multitool binary, or an error that says why it cannot run here. */
export function multitoolPath(): string {
  const platform = `${process.platform}-${process.arch}`;
  if (!PLATFORMS.includes(platform)) {
    throw new Error(`the SARIF Multitool ships for ${PLATFORMS.join(", ")} only, not ${platform}: SARIF cannot be validated here`);
  }
  let bin: string;
  try {
    // The wrapper package resolves the platform package npm installed as its optional dependency.
    bin = require("@microsoft/sarif-multitool") as string;
  } catch (err) {
    throw new Error(`the SARIF Multitool is not installed (run \`npm ci\`): ${(err as Error).message}`, { cause: err });
  }
  if (!existsSync(bin)) throw new Error(`the SARIF Multitool binary is missing at ${bin} (run \`npm ci\`)`);
  try {
    accessSync(bin, constants.X_OK);
  } catch (err) {
    throw new Error(
      `the SARIF Multitool at ${bin} is not executable: its package's postinstall (\`chmod u+x\`) did not run (npm ci --ignore-scripts?)`,
      { cause: err },
    );
  }
  return bin;
}

/**
 * SARIF2006 (every URI reachable by HTTP GET) needs the internet, which tests never reach: it is disabled,
 * and a dead loopback proxy catches any other request the tool might try.
 */
const POLICY = `<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" />
  </Properties>
</Properties>
`;

export interface MultitoolResult {
  ruleId: string;
  level: "error" | "warning" | "note" | "none";
  message: string;
}

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(bin, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
      done({ code, stdout, stderr: err && typeof err.code !== "number" ? `${err.message}\n${stderr}` : stderr });
    });
  });
}

/** Every result the Multitool reports for `file` at any level, with the GitHub ingestion rules enabled. */
export async function multitoolValidate(file: string): Promise<MultitoolResult[]> {
  const bin = multitoolPath();
  const dir = mkdtempSync(join(tmpdir(), "aag-multitool-"));
  try {
    const policy = join(dir, "policy.xml");
    const out = join(dir, "verdict.sarif");
    writeFileSync(policy, POLICY);
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      TMPDIR: dir,
      // No ICU library needed: culture-invariant mode is enough for a validator.
      DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1",
      DOTNET_CLI_TELEMETRY_OPTOUT: "1",
      HTTP_PROXY: "http://127.0.0.1:9",
      HTTPS_PROXY: "http://127.0.0.1:9",
      NO_PROXY: "",
    };
    const args = [
      "validate",
      file,
      "-o",
      out,
      "--rule-kind",
      "Sarif;Gh",
      "--level",
      "Error;Warning;Note",
      "--kind",
      "Fail",
      "-c",
      policy,
      "--log",
      "ForceOverwrite",
      "-q",
    ];
    const r = await run(bin, args, env);
    // The exit code is 0 whatever it finds; a missing verdict file means the tool itself failed.
    if (r.code !== 0 || !existsSync(out)) {
      throw new Error(
        `the SARIF Multitool did not run (${process.platform}-${process.arch}, exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 2000)}`,
      );
    }
    const verdict = JSON.parse(readFileSync(out, "utf8")) as Log;
    return (verdict.runs[0]?.results ?? []).map((res) => ({
      ruleId: res.ruleId ?? "?",
      level: res.level ?? "warning",
      message: res.message.text ?? `${res.message.id ?? ""} ${(res.message.arguments ?? []).join(" | ")}`,
    }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
