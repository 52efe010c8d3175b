/**
 * Terminal escape sequences never reach the user's terminal from the CLI: a file name, a manifest value
 * or anything else the input controls is printed with its control characters made visible (`\x1b`), on
 * stderr and stdout, in every format. Driven through the built bin as a process, the way a shell runs it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { terminalSafe } from "../../shared/cli/terminal.js";
import { buildBin, runBin } from "./built-bin.js";
import { runCli } from "./run-in-process.js";

let built: ReturnType<typeof buildBin>;
let dir: string;
let env: Record<string, string>;
// ESC [ 2J (clear screen), OSC 0 (window title) ended by BEL, OSC 52 (write the clipboard), C1 CSI, a bare CR.
const ESCAPES = "\u001b[2J\u001b]0;owned\u0007\u001b]52;c;Y3VybCBldmlsfHNo\u0007\u009b31m\rX";
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|\r(?!\n)/;

beforeAll(() => {
  built = buildBin("terminal");
  dir = mkdtempSync(join(tmpdir(), "aag-terminal-"));
  mkdirSync(join(dir, "k8s"));
  env = { PATH: dirname(process.execPath), HOME: dir, NO_COLOR: "1" };
}, 180_000);

afterAll(() => {
  built?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe("terminal escapes from the input", () => {
  it("a file name with escape sequences: the one error line shows them as \\xNN, the terminal gets none", async () => {
    const file = join(dir, "k8s", `app${ESCAPES}.yaml`);
    writeFileSync(file, "kind: [\n");
    const r = await runBin(built.bin, ["check", file], env);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain("app\\x1b[2J\\x1b]0;owned\\x07");
    expect(r.stderr).toContain("\\x9b31m\\x0dX.yaml");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("a manifest value with escape sequences: no raw control character in any format on stdout", async () => {
    const file = join(dir, "k8s", "values.yaml");
    // YAML double-quoted escapes put real control characters into the parsed values.
    writeFileSync(
      file,
      [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: web, namespace: prod}",
        "spec:",
        "  template:",
        "    spec:",
        "      containers:",
        '        - name: "app\\e[2J\\x9b31m"',
        "          image: app:1",
        "          env:",
        '            - {name: AZURE_CLIENT_SECRET, value: "hunter2hunter2hunter2"}',
        '            - {name: AZURE_CLIENT_ID, value: "\\e]52;c;Y3VybA==\\a"}',
        "",
      ].join("\n"),
    );
    for (const format of ["text", "json", "markdown", "sarif"]) {
      const r = await runBin(built.bin, ["check", "--format", format, file], env);
      expect(r.code, `${format}: ${r.stderr}`).toBe(1);
      expect(r.stdout, format).toContain("AG10");
      expect(r.stdout, format).not.toMatch(RAW_CONTROL);
      expect(r.stderr, format).not.toMatch(RAW_CONTROL);
    }
  });

  it("the coloured text report on a TTY keeps its own colours and still neutralises the input's", async () => {
    const r = await runCli(["check", "test/cli/fixtures/broken/app.yaml"], { tty: true, env: {} });
    expect(r.stdout).toContain("\u001b[31m");
    const viaTty = await runCli(["check", join(dir, "k8s", "values.yaml")], { tty: true, env: {} });
    // Its only escapes are SGR colours (ESC [ n m); the manifest's ESC [ 2J arrives as text.
    // eslint-disable-next-line no-control-regex -- the SGR colour sequences are what is allowed
    expect(viaTty.stdout.replace(/\u001b\[\d+m/g, "")).not.toMatch(RAW_CONTROL);
    expect(viaTty.stdout).toContain("\\x1b[2J");
  });

  it("keeps newlines, tabs and CRLF line ends (a diff of a CRLF file stays a diff)", () => {
    expect(terminalSafe("a\tb\r\nc\n")).toBe("a\tb\r\nc\n");
    expect(terminalSafe("a\rb\u0007")).toBe("a\\x0db\\x07");
  });
});
