/**
 * Which probe program the Job runs: always one of the gate's own (Python or Node) for the image's
 * runtime — never a command from the repository under check. The command replaces the image's ENTRYPOINT, so the image only needs its
 * interpreter and the Azure SDK the app already ships.
 */
import { NODE_PROBE } from "./node.js";
import { PYTHON_PROBE } from "./python.js";

export type ProbeRuntime = "python" | "node";

/**
 * A Node image is recognised by its name (`node:22-slim`, `acme/node-api`, `…/nodejs-…`); everything
 * else gets the Python probe, since the workloads this gate guards are Django apps.
 */
export function guessRuntime(image: string): ProbeRuntime {
  const repository = image.replace(/@sha256:.*$/, "").replace(/:[^/:]*$/, "");
  return /(^|[/._-])node(js)?($|[/._-])/i.test(repository) ? "node" : "python";
}

export function builtInCommand(runtime: ProbeRuntime): string[] {
  return runtime === "node" ? ["node", "--input-type=module", "-e", NODE_PROBE] : ["python3", "-c", PYTHON_PROBE];
}

export { NODE_PROBE, PYTHON_PROBE };
