/**
 * Command-line parsing (node:util parseArgs, strict): every unknown flag, missing value or bad choice is
 * a `UsageError` (exit 2 with a usage hint), never a guess.
 */
import { parseArgs } from "node:util";
import { FAIL_ON, FIX_FORMATS, type FailOn, type FixFormat } from "../findings/model.js";
import { isReportFormat, REPORT_FORMATS, type ReportFormat } from "../report/index.js";
import type { RulesFormat } from "../report/rules.js";
import { GATE_MODES, type GateMode } from "../gate/plan-run.js";

// The choices in the usage text come from the same lists the parser accepts, so a new report format, fix
// format or mode shows up in --help without editing it.
const choices = (list: readonly string[]) => list.join("|");
const withDefault = (list: readonly string[], fallback: string) => list.map((v) => (v === fallback ? `${v} (default)` : v)).join(", ");

export const USAGE = `Usage:
  azure-auth-gate check [PATH|-]... [--config FILE [--allow-custom-cloud] [--mode ${choices(GATE_MODES)}]
                        [--probe [--kubeconfig FILE]]]
                        [--format ${choices(REPORT_FORMATS)}]
                        [--output FILE] [--fail-on ${choices(FAIL_ON)}] [--fix-format ${choices(FIX_FORMATS)}]
                        [--helm-release NAME] [--helm-namespace NS] [--helm-values FILE]... [--verbose]
  azure-auth-gate fix [PATH|-]... [--diff | --write] [--config FILE]
  azure-auth-gate rules [--format json|markdown] [--output FILE]
  azure-auth-gate sandbox [start|stop] [--scenario FILE|NAME] [--state-dir DIR] [--write-env PATH] [--no-azurite]
  azure-auth-gate --help | --version

check   Checks Kubernetes manifests (files, directories of *.yaml/*.yml, or - for stdin, e.g.
        \`helm template … | azure-auth-gate check -\`) for the identity mistakes that make
        DefaultAzureCredential fail. With --config azure-auth-gate.yml it also proves the identity
        chain and RBAC in Azure (control plane). See docs/config.md.
fix     Applies the mechanical fixes of the manifest findings (pod label, ServiceAccount client id,
        AZURE_CLIENT_ID, migrate hook identity, leftover env, AAD Pod Identity migration), keeping
        comments, key order, quoting and indentation. --diff (default) prints a unified diff;
        --write edits the files in place (not with - for stdin). What cannot be fixed safely is
        listed as a TODO; literal secrets are never deleted: the fix says how to rotate them.
rules   Prints the finding catalogue.
sandbox Starts the local Azure sandbox (source repository only) on 127.0.0.1: in the foreground until
        Ctrl-C, or with \`start --state-dir DIR\` in the background until \`stop --state-dir DIR\`
        (DIR/sandbox.env is the environment to source). Scenarios: docs/sandbox.md.

Options:
  --config FILE     azure-auth-gate.yml: targets, subscriptions, cluster, severity overrides, waivers
  --allow-custom-cloud
                    with --config: let the config name a cloud profile file (private cloud, the sandbox);
                    its endpoints are printed before any token is requested. Without it only AzureCloud,
                    AzureChinaCloud and AzureUSGovernment are accepted (the config is the repository's)
  --mode MODE       with --config: static (the manifests with the config's severity overrides and
                    waivers; never signs in to Azure), azure (default: adds the control plane) or probe
                    (= --probe). Without --config a check is static
  --probe           with --config: also run the live probe, a short-lived Job that runs as the pod
                    (its ServiceAccount and image) and calls Blob and Key Vault (needs kubeconfig)
  --kubeconfig FILE with --probe: the cluster's kubeconfig (default: KUBECONFIG, then ~/.kube/config;
                    never one the config names)
  --format FORMAT   check: ${withDefault(REPORT_FORMATS, "text")}; rules: markdown (default), json
  --output FILE     write the report to FILE (never a partial file; untouched when the run cannot start)
  --fail-on LEVEL   error (default: pass and warn exit 0), warning, or never
  --fix-format F    check: the Azure fixes as az commands (default), bicep or terraform (azurerm)
  --helm-release N  check: release name for charts found in a directory (rendered with helm template
                    when helm is on PATH; kustomizations with kustomize or kubectl kustomize)
  --helm-namespace NS  check: namespace the charts are rendered for
  --helm-values F   check: a values file for the charts (repeatable; replaces the config's helm.values)
  -v, --verbose     check: log the gate's steps and every Azure request (headers redacted) to stderr;
                    the same lines as AZURE_LOG_LEVEL=info
  --diff            fix: print the changes as a unified diff (default)
  --write           fix: edit the files in place
  -h, --help        show this help
  -V, --version     print the version

Exit codes: 0 verdict allowed by --fail-on, 1 the gate blocks, 2 usage or input error, 3 internal error.
Environment: NO_COLOR disables colour; AZURE_AUTH_GATE_DEBUG=1 prints stacks of internal errors.
`;

/** `--helm-*`: how charts found in the directories are rendered (they win over the config's `helm`). */
export interface HelmFlags {
  releaseName?: string;
  namespace?: string;
  values?: string[];
}

/** A command-line mistake: exit 2 with one line and a pointer to --help. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export type Command =
  | { kind: "help" }
  | { kind: "version" }
  | {
      kind: "check";
      paths: string[];
      config?: string;
      allowCustomCloud: boolean;
      mode?: GateMode;
      probe: boolean;
      kubeconfig?: string;
      format: ReportFormat;
      output?: string;
      failOn: FailOn;
      fixFormat?: FixFormat;
      helm?: HelmFlags;
      verbose?: true;
    }
  | { kind: "fix"; paths: string[]; mode: "diff" | "write"; config?: string }
  | { kind: "rules"; format: RulesFormat; output?: string }
  /** The sandbox parses its own flags (it is a separate program); they are passed through as given. */
  | { kind: "sandbox"; args: string[] };

const OPTIONS = {
  config: { type: "string" },
  format: { type: "string" },
  output: { type: "string" },
  "fail-on": { type: "string" },
  "fix-format": { type: "string" },
  diff: { type: "boolean" },
  write: { type: "boolean" },
  probe: { type: "boolean" },
  mode: { type: "string" },
  verbose: { type: "boolean", short: "v" },
  kubeconfig: { type: "string" },
  "helm-release": { type: "string" },
  "helm-namespace": { type: "string" },
  "helm-values": { type: "string", multiple: true },
  "allow-custom-cloud": { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "V" },
} as const;

/** parseArgs's messages are long and mention its own API; say it the way a user typed it. */
function explain(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const flag = /'([^']+)'/.exec(message)?.[1];
    return flag ? `unknown option '${flag}'` : "unknown option";
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    const flag = /--([a-z-]+)/.exec(message)?.[1];
    return flag ? `option '--${flag}' needs a value` : "an option is missing its value";
  }
  return message.split("\n")[0] ?? message;
}

function oneOf<T extends string>(flag: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} must be one of ${choices.join(", ")} (got '${value}')`);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function helmFlags(release: string | undefined, namespace: string | undefined, values: string[] | undefined): { helm?: HelmFlags } {
  if (release !== undefined && (release.length > 53 || !DNS_LABEL.test(release)))
    throw new UsageError(`--helm-release must be a lowercase DNS label of at most 53 characters (got '${release}')`);
  if (namespace !== undefined && (namespace.length > 63 || !DNS_LABEL.test(namespace)))
    throw new UsageError(`--helm-namespace must be a Kubernetes namespace name (got '${namespace}')`);
  if (values?.some((v) => v === "")) throw new UsageError("option '--helm-values' needs a value");
  const helm: HelmFlags = {
    ...(release !== undefined ? { releaseName: release } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(values?.length ? { values } : {}),
  };
  return Object.keys(helm).length > 0 ? { helm } : {};
}

export function parseCommand(argv: readonly string[]): Command {
  if (argv[0] === "sandbox") return { kind: "sandbox", args: argv.slice(1) };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(explain(err));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: "help" };
  if (values.version) return { kind: "version" };
  const [command, ...rest] = positionals;
  if (command === undefined) throw new UsageError("missing command (check, fix, rules or sandbox)");
  if (command !== "fix")
    for (const flag of ["diff", "write"] as const) if (values[flag]) throw new UsageError(`--${flag} applies to fix, not ${command}`);
  for (const flag of ["fix-format", "helm-release", "helm-namespace", "helm-values", "verbose"] as const) {
    if (command !== "check" && values[flag] !== undefined) throw new UsageError(`--${flag} applies to check, not ${command}`);
  }

  if (command === "check") {
    if (rest.length === 0 && values.config === undefined)
      throw new UsageError("check needs a PATH (file, directory or - for stdin) or --config FILE");
    const format = values.format ?? "text";
    if (!isReportFormat(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(", ")} (got '${format}')`);
    if (values.output === "") throw new UsageError("option '--output' needs a value");
    if (values.config === "") throw new UsageError("option '--config' needs a value");
    if (values.probe && values.config === undefined)
      throw new UsageError("--probe needs --config FILE (the targets, the cloud and the cluster to probe)");
    if (values["allow-custom-cloud"] && values.config === undefined)
      throw new UsageError("--allow-custom-cloud applies to --config (the config's cloud)");
    if (values.kubeconfig === "") throw new UsageError("option '--kubeconfig' needs a value");
    const mode = values.mode === undefined ? undefined : oneOf<GateMode>("mode", values.mode, GATE_MODES, "static");
    if (mode !== undefined && mode !== "static" && values.config === undefined)
      throw new UsageError(`--mode ${mode} needs --config FILE (the targets, subscriptions and cloud to check)`);
    if (values.probe && mode !== undefined && mode !== "probe") throw new UsageError(`--probe and --mode ${mode} exclude each other`);
    const probe = values.probe === true || mode === "probe";
    if (values.kubeconfig !== undefined && !probe)
      throw new UsageError("--kubeconfig applies to --probe (the cluster the probe Job runs in)");
    return {
      kind: "check",
      paths: rest,
      ...(values.config !== undefined ? { config: values.config } : {}),
      allowCustomCloud: values["allow-custom-cloud"] === true,
      ...(mode !== undefined ? { mode } : {}),
      probe,
      ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
      format,
      ...(values.output !== undefined ? { output: values.output } : {}),
      failOn: oneOf("fail-on", values["fail-on"], FAIL_ON, "error"),
      ...(values["fix-format"] !== undefined ? { fixFormat: oneOf("fix-format", values["fix-format"], FIX_FORMATS, "az") } : {}),
      ...helmFlags(values["helm-release"], values["helm-namespace"], values["helm-values"]),
      ...(values.verbose ? { verbose: true as const } : {}),
    };
  }
  if (command === "fix") {
    if (rest.length === 0) throw new UsageError("fix needs a PATH (file, directory or - for stdin)");
    if (values.diff && values.write) throw new UsageError("--diff and --write exclude each other");
    if (values.write && rest.includes("-")) throw new UsageError("--write cannot edit stdin: use --diff with -, or pass the files");
    for (const flag of ["format", "output", "fail-on", "probe", "mode", "kubeconfig", "allow-custom-cloud"] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to check, not fix`);
    if (values.config === "") throw new UsageError("option '--config' needs a value");
    return {
      kind: "fix",
      paths: rest,
      mode: values.write ? "write" : "diff",
      ...(values.config !== undefined ? { config: values.config } : {}),
    };
  }
  if (command === "rules") {
    if (rest.length > 0) throw new UsageError(`rules takes no arguments (got '${rest[0]}')`);
    for (const flag of ["config", "fail-on", "probe", "mode", "kubeconfig", "allow-custom-cloud"] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} applies to check, not rules`);
    if (values.output === "") throw new UsageError("option '--output' needs a value");
    return {
      kind: "rules",
      format: oneOf<RulesFormat>("format", values.format, ["json", "markdown"], "markdown"),
      ...(values.output !== undefined ? { output: values.output } : {}),
    };
  }
  throw new UsageError(`unknown command '${command}' (check, fix, rules or sandbox)`);
}
