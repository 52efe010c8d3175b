/**
 * Bridges the Azure SDK's logging (@azure/logger: every request with its redacted headers, retries, token
 * requests — ARM, Key Vault and Graph alike, all on the same pipeline) into the gate's one log seam, so its
 * lines reach the host's sink (stderr, core.debug, the Function invocation's masked context.log) as debug
 * lines, and the gate's own debug lines go through `createClientLogger("auth-gate")` beside them. Installed
 * by whatever opens an Azure client or credential; a static run never loads it.
 */
import { format } from "node:util";
import { AzureLogger, createClientLogger, getLogLevel, setLogLevel } from "@azure/logger";
import { emit, useDebugWriter } from "../log.js";

const gateLogger = createClientLogger("auth-gate");
let bridged = false;

export function bridgeAzureSdkLog(): void {
  if (bridged) return;
  bridged = true;
  // @azure/logger has already filtered by level (AZURE_LOG_LEVEL or setLogLevel): every line it writes is wanted.
  AzureLogger.log = (...args: unknown[]) => emit("debug", format(...args).trimEnd());
  useDebugWriter(
    (line) => gateLogger.info(line),
    // The gate's debug lines and the SDK's request lines come together; a finer AZURE_LOG_LEVEL (verbose) stays.
    () => {
      if (getLogLevel() !== "verbose") setLogLevel("info");
    },
  );
}
