/**
 * The config's `environments:` section and configForEnvironment: an environment narrows the targets
 * (by workload), names manifests and layers; a name compares case-insensitively; an unlisted
 * environment, a workload that is not a target, a static layer without manifests or a path outside
 * the repository is one InputError naming the field.
 */
import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../shared/config/load.js";
import { InputError } from "../../shared/errors.js";
import { configForEnvironment } from "../../shared/gate/environment.js";

const SUB = "11111111-1111-1111-1111-111111111111";

function config(
  environments: string,
  targets = "targets:\n  - workload: production/Deployment/backend\n  - workload: production/Deployment/worker\n",
) {
  return parseConfigText(`subscriptions: [${SUB}]\n${targets}environments:\n${environments}`, "azure-auth-gate.yml").config;
}

function inputError(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof InputError) return err.oneLine();
    throw err;
  }
  throw new Error("expected an InputError");
}

describe("environments", () => {
  it("defaults: both layers, no probe, every target", () => {
    const gate = configForEnvironment(config("  production:\n    manifests: [deploy/production]\n"), "Production");
    expect(gate.name).toBe("production");
    expect(gate.environment).toEqual({ manifests: ["deploy/production"], targets: [], layers: ["static", "control-plane"], probe: false });
    expect(gate.config.targets.map((t) => t.workload)).toEqual(["production/Deployment/backend", "production/Deployment/worker"]);
  });

  it("narrows the targets to the environment's workloads", () => {
    const gate = configForEnvironment(
      config("  production:\n    manifests: [k8s]\n    targets: [production/Deployment/worker]\n"),
      "production",
    );
    expect(gate.config.targets.map((t) => t.workload)).toEqual(["production/Deployment/worker"]);
  });

  it("without config targets, the environment's workloads become the targets (resolved from the manifests)", () => {
    const gate = configForEnvironment(
      config("  production:\n    manifests: [k8s]\n    targets: [production/Deployment/backend]\n", ""),
      "production",
    );
    expect(gate.config.targets).toEqual([{ workload: "production/Deployment/backend", blob: [], keyVault: [] }]);
  });

  it("names what is wrong", () => {
    const listed = config("  production:\n    manifests: [k8s]\n    targets: [production/Deployment/nope]\n");
    expect(inputError(() => configForEnvironment(listed, "staging", "azure-auth-gate.yml@main"))).toBe(
      "azure-auth-gate.yml@main: environments: environment 'staging' is not listed (listed: production); add it to say what to check before it is deployed to",
    );
    expect(inputError(() => configForEnvironment(listed, "production"))).toMatch(
      /^environments\.production\.targets\[0\]: 'production\/Deployment\/nope' is not one of `targets`/,
    );
    expect(inputError(() => config("  production:\n    layers: [static]\n"))).toMatch(
      /environments\.production\.manifests: the static layer needs `manifests`/,
    );
    expect(inputError(() => config("  production:\n    manifests: [../other-repo]\n"))).toMatch(
      /environments\.production\.manifests\[0\]: must be a path inside the repository/,
    );
    expect(inputError(() => config("  production:\n    manifests: [k8s]\n    probes: true\n"))).toMatch(
      /environments\.production\.probes: unknown key 'probes'/,
    );
  });
});
