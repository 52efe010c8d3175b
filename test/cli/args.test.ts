import { describe, expect, it } from "vitest";
import { parseCommand, UsageError, USAGE } from "../../shared/cli/args.js";
import { FAIL_ON, FIX_FORMATS } from "../../shared/findings/model.js";
import { GATE_MODES } from "../../shared/gate/plan-run.js";
import { REPORT_FORMATS } from "../../shared/report/index.js";
import { exitCodeFor } from "../../shared/cli/main.js";

function usageError(argv: string[]): string {
  try {
    parseCommand(argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no UsageError for ${argv.join(" ")}`);
}

describe("parseCommand", () => {
  it("parses check with paths, stdin and every option", () => {
    expect(
      parseCommand([
        "check",
        "k8s/",
        "-",
        "--config",
        "gate.yml",
        "--probe",
        "--format",
        "sarif",
        "--output",
        "out.sarif",
        "--fail-on",
        "warning",
      ]),
    ).toEqual({
      kind: "check",
      paths: ["k8s/", "-"],
      config: "gate.yml",
      allowCustomCloud: false,
      probe: true,
      format: "sarif",
      output: "out.sarif",
      failOn: "warning",
    });
    expect(parseCommand(["check", "--format=json", "a.yaml"])).toEqual({
      kind: "check",
      paths: ["a.yaml"],
      allowCustomCloud: false,
      probe: false,
      format: "json",
      failOn: "error",
    });
  });

  it("defaults: text, fail on error; a config alone is enough", () => {
    expect(parseCommand(["check", "--config", "gate.yml"])).toEqual({
      kind: "check",
      paths: [],
      config: "gate.yml",
      allowCustomCloud: false,
      probe: false,
      format: "text",
      failOn: "error",
    });
  });

  it("takes --verbose (-v) on check only", () => {
    expect(parseCommand(["check", "k8s/", "--verbose"])).toEqual({
      kind: "check",
      paths: ["k8s/"],
      allowCustomCloud: false,
      probe: false,
      format: "text",
      failOn: "error",
      verbose: true,
    });
    expect(parseCommand(["check", "k8s/", "-v"])).toMatchObject({ verbose: true });
    expect(usageError(["fix", "k8s/", "--verbose"])).toBe("--verbose applies to check, not fix");
  });

  it("takes --probe only with --config, and only on check", () => {
    expect(usageError(["check", "k8s/", "--probe"])).toMatch(/--probe needs --config/);
    expect(usageError(["rules", "--probe"])).toMatch(/--probe applies to check/);
    expect(usageError(["check", "k8s/", "--allow-custom-cloud"])).toMatch(/--allow-custom-cloud applies to --config/);
    expect(usageError(["check", "--config", "gate.yml", "--kubeconfig", "kube.yaml"])).toMatch(/--kubeconfig applies to --probe/);
    expect(parseCommand(["check", "--config", "gate.yml", "--allow-custom-cloud", "--probe", "--kubeconfig", "kube.yaml"])).toMatchObject({
      allowCustomCloud: true,
      probe: true,
      kubeconfig: "kube.yaml",
    });
  });

  it("parses rules, help and version", () => {
    expect(parseCommand(["rules"])).toEqual({ kind: "rules", format: "markdown" });
    expect(parseCommand(["rules", "--format", "json"])).toEqual({ kind: "rules", format: "json" });
    expect(parseCommand(["--help"])).toEqual({ kind: "help" });
    expect(parseCommand(["check", "-h"])).toEqual({ kind: "help" });
    expect(parseCommand(["--version"])).toEqual({ kind: "version" });
  });

  it("--help lists every choice the parser accepts (a new report format needs no edit to the help)", () => {
    const line = (flag: string) => USAGE.split("\n").find((l) => l.includes(`[${flag} `))!;
    expect(line("--format")).toContain(`[--format ${REPORT_FORMATS.join("|")}]`);
    expect(line("--fail-on")).toContain(`[--fail-on ${FAIL_ON.join("|")}]`);
    expect(line("--fix-format")).toContain(`[--fix-format ${FIX_FORMATS.join("|")}]`);
    expect(line("--mode")).toContain(`[--mode ${GATE_MODES.join("|")}]`);
    for (const f of REPORT_FORMATS) expect(parseCommand(["check", "k8s", "--format", f])).toMatchObject({ format: f });
  });

  it("refuses what it does not understand, naming it", () => {
    expect(usageError([])).toBe("missing command (check, fix, rules or sandbox)");
    expect(usageError(["chek", "k8s"])).toBe("unknown command 'chek' (check, fix, rules or sandbox)");
    expect(usageError(["check"])).toMatch(/^check needs a PATH/);
    expect(usageError(["check", "k8s", "--frmat", "json"])).toBe("unknown option '--frmat'");
    expect(usageError(["check", "k8s", "--format"])).toBe("option '--format' needs a value");
    expect(usageError(["check", "k8s", "--output"])).toBe("option '--output' needs a value");
    expect(usageError(["check", "k8s", "--format", "html"])).toBe("--format must be one of text, json, markdown, sarif (got 'html')");
    expect(usageError(["check", "k8s", "--fail-on", "warn"])).toBe("--fail-on must be one of error, warning, never (got 'warn')");
    expect(usageError(["rules", "--format", "sarif"])).toBe("--format must be one of json, markdown (got 'sarif')");
    expect(usageError(["rules", "extra"])).toBe("rules takes no arguments (got 'extra')");
    expect(usageError(["rules", "--fail-on", "never"])).toBe("--fail-on applies to check, not rules");
  });
});

describe("exit codes", () => {
  it("blocks on fail by default, on warn with --fail-on warning, never with never", () => {
    expect([exitCodeFor("pass", "error"), exitCodeFor("warn", "error"), exitCodeFor("fail", "error")]).toEqual([0, 0, 1]);
    expect([exitCodeFor("pass", "warning"), exitCodeFor("warn", "warning"), exitCodeFor("fail", "warning")]).toEqual([0, 1, 1]);
    expect([exitCodeFor("pass", "never"), exitCodeFor("warn", "never"), exitCodeFor("fail", "never")]).toEqual([0, 0, 0]);
  });
});
