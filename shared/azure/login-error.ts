/**
 * The error the gate throws when its own login fails (fetch-failure.ts re-exports it). Apart from fetch-failure.ts, which
 * imports the Azure REST pipeline, so that entry points can recognise it without loading any SDK.
 */

/** The gate's own credential could not get a token: no fact can be read. Entry points print `message`. */
export class AzureLoginError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "AzureLoginError";
  }
}
