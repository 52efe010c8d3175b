/**
 * The gate config narrowed to one GitHub environment (`environments.<name>`): the deployment
 * protection rule checks only that environment's targets and layers. Environment names compare
 * case-insensitively, as GitHub's do. An environment the config does not list, or a target it names
 * that `targets` does not have, is an InputError naming the field.
 */
import type { EnvironmentConfig, GateConfig } from "../config/schema.js";
import { InputError } from "../errors.js";

export interface EnvironmentGate {
  /** The environment's name as the config spells it. */
  name: string;
  environment: EnvironmentConfig;
  /** The config with `targets` narrowed to the environment's. */
  config: GateConfig;
}

export function configForEnvironment(config: GateConfig, environmentName: string, file?: string): EnvironmentGate {
  const where = (field: string) => ({ ...(file ? { file } : {}), field });
  const entry = Object.entries(config.environments).find(([name]) => name.toLowerCase() === environmentName.toLowerCase());
  if (!entry) {
    const known = Object.keys(config.environments);
    throw new InputError(
      `environment '${environmentName}' is not listed (${known.length > 0 ? `listed: ${known.join(", ")}` : "the section is empty"}); add it to say what to check before it is deployed to`,
      where("environments"),
    );
  }
  const [name, environment] = entry;
  if (environment.targets.length === 0) return { name, environment, config };
  // With no `targets` in the config, the environment's workloads are resolved from the manifests.
  if (config.targets.length === 0)
    return {
      name,
      environment,
      config: { ...config, targets: environment.targets.map((workload) => ({ workload, blob: [], keyVault: [] })) },
    };
  const targets = environment.targets.map((workload, i) => {
    const target = config.targets.find((t) => t.workload === workload);
    if (!target)
      throw new InputError(
        `'${workload}' is not one of \`targets\` (${config.targets.map((t) => t.workload ?? "(default workload)").join(", ")})`,
        where(`environments.${name}.targets[${i}]`),
      );
    return target;
  });
  return { name, environment, config: { ...config, targets } };
}
