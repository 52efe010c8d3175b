/**
 * The one logging seam: @azure/logger, the Azure SDK's own. The gate's lines (`azure:auth-gate:*`) and
 * the SDK's (every request with its redacted headers, retries, token requests — ARM, Key Vault and
 * Graph alike, since all use the same pipeline) are switched on together by AZURE_LOG_LEVEL or by the
 * host (`--verbose` in the CLI, step debug in the Action), and go where the host sends them.
 * Imported only on paths that talk to Azure: a static check never loads @azure/*.
 */
import { format } from "node:util";
import { AzureLogger, createClientLogger, setLogLevel } from "@azure/logger";

export const gateLog = createClientLogger("auth-gate");

/** Info-level logging for the gate and every Azure SDK client, each line handed to `write` (default: stderr). */
export function enableVerbose(write?: (line: string) => void): void {
  setLogLevel("info");
  if (write) AzureLogger.log = (...args: unknown[]) => write(`${format(...args)}\n`);
}
