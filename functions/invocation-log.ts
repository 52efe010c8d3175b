/**
 * The Function's end of the log seam (shared/log.ts): each invocation's lines — the handlers' own, every
 * layer's (sweep, rotation) and, with AZURE_LOG_LEVEL, the Azure SDK's — go to that invocation's
 * context.debug / log / warn / error, through its runtime's SecretMask. The mask holds every secret the
 * Function has touched (Graph addPassword's answer, Key Vault reads and writes, the webhook secret) as it
 * appears, like the Action's core.setSecret; the seam has already masked JWT-shaped text. So a secret a library
 * or an error message quotes still never reaches the host's log.
 */
import type { InvocationContext } from "@azure/functions";
import { withLogSink, type LogSink } from "../shared/log.js";
import type { SecretMask } from "../shared/rotation/mask.js";

export function maskedSink(context: InvocationContext, mask: SecretMask): LogSink {
  return (level, line) => {
    const masked = mask.mask(line);
    if (level === "debug") context.debug(masked);
    else if (level === "info") context.log(masked);
    else if (level === "warning") context.warn(masked);
    else context.error(masked);
  };
}

/** Runs one invocation's work with its own masked sink (invocations run concurrently in one worker). */
export function withInvocationLog<T>(context: InvocationContext, mask: SecretMask, work: () => Promise<T>): Promise<T> {
  return withLogSink(maskedSink(context, mask), work);
}
