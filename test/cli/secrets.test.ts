/**
 * Secret hygiene across every output: the fixture holds literal credentials (a client secret in env, a
 * storage account key in a ConfigMap connection string, a SAS signature, a base64 Secret). Every
 * format, to stdout and to --output, must flag them without carrying the secret bytes — raw, base64'd,
 * or URL-decoded.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-in-process.js";

const FIXTURE = "test/cli/fixtures/secrets";

const SECRETS = [
  "Lit~eral.Client-Secret_Value9876543210",
  "S3cr3tAcc0untK3yNeverPrintMe0123456789abcdefABCDEF==",
  "SasSignatureNeverPrinted%2Fabc123%3D",
  "Qz8~Sp-Secret-Value-Do3NotPrint",
];

/** Each secret, its distinctive core (a redaction that keeps most of it still leaks), and their encodings. */
function needles(): string[] {
  const out = new Set<string>();
  for (const s of SECRETS) {
    const core = s.slice(4, -4);
    for (const v of [s, core, decodeURIComponent(s)]) {
      out.add(v);
      out.add(Buffer.from(v).toString("base64"));
      out.add(Buffer.from(v).toString("base64url"));
    }
  }
  return [...out];
}

function expectClean(label: string, text: string): void {
  for (const needle of needles()) expect(text.includes(needle), `${label} contains secret bytes '${needle}'`).toBe(false);
}

describe("no secret in any output", () => {
  it("the fixture really holds the secrets the test scans for", () => {
    const text = readFileSync(`${FIXTURE}/app.yaml`, "utf8");
    for (const s of SECRETS.slice(0, 3)) expect(text).toContain(s);
    expect(text).toContain(Buffer.from(SECRETS[3]!).toString("base64"));
  });

  it.each(["text", "json", "markdown", "sarif"])("%s format flags the credentials without printing them", async (format) => {
    const r = await runCli(["check", FIXTURE, "--format", format], { tty: true });
    expect(r.code).toBe(1);
    for (const id of ["AG101", "AG111", "AG108"]) expect(r.stdout).toContain(id);
    expectClean(`${format} stdout`, r.stdout);
    expectClean(`${format} stderr`, r.stderr);

    const dir = mkdtempSync(join(tmpdir(), "aag-secrets-"));
    try {
      const out = join(dir, `report.${format}`);
      const written = await runCli(["check", FIXTURE, "--format", format, "--output", out]);
      expect(written.code).toBe(1);
      expectClean(`${format} --output`, readFileSync(out, "utf8"));
      expectClean(`${format} --output stderr`, written.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stdin input is held to the same rule", async () => {
    const r = await runCli(["check", "-", "--format", "json"], { stdin: readFileSync(`${FIXTURE}/app.yaml`) });
    expect(r.code).toBe(1);
    expectClean("stdin json", r.stdout);
  });
});
