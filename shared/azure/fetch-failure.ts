/**
 * Turning SDK failures into `FetchFailure` facts (status + Azure error code, never headers or
 * bodies, so no token can leak into a report), and the error the gate throws when its own login fails.
 */
import { isRestError } from "@azure/core-rest-pipeline";
import type { FetchFailure, Fetched } from "./facts/types.js";
import { AzureLoginError } from "./login-error.js";

export { AzureLoginError };

/**
 * Thrown when the retry budget would be exceeded: the fact counts as unreadable (fail closed). `status` is
 * the last attempt's HTTP status, undefined when its connection failed (then `code` is the socket's code).
 */
export class RetryBudgetExceededError extends Error {
  constructor(
    readonly status: number | undefined,
    readonly code: string | undefined,
    readonly waitMs: number,
  ) {
    super(
      status === undefined
        ? `retry budget exhausted (connection failed (${code ?? "no response"}); another attempt would start past the run's retry deadline)`
        : `retry budget exhausted (HTTP ${status}${code ? ` ${code}` : ""}; Azure asked to wait ${Math.ceil(waitMs / 1000)} s more)`,
    );
    this.name = "RetryBudgetExceededError";
  }
}

/** The first line of an error text, at most 300 characters (SDK messages can carry whole response bodies below it). */
export function firstLine(text: string): string {
  return (text.split("\n")[0] ?? "").slice(0, 300);
}

/** The first line of whatever was thrown (not shortened: callers that print it whole keep doing so). */
export function errorLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
}

export function toFetchFailure(err: unknown): FetchFailure {
  if (err instanceof RetryBudgetExceededError)
    return { ...(err.status !== undefined ? { status: err.status } : {}), ...(err.code ? { code: err.code } : {}), message: err.message };
  if (isRestError(err)) {
    const status = err.statusCode;
    const code = err.code ?? (status === 429 ? "TooManyRequests" : undefined);
    return { ...(status !== undefined ? { status } : {}), ...(code ? { code } : {}), message: firstLine(err.message) };
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { ...(typeof code === "string" ? { code } : { code: err.name }), message: firstLine(err.message) };
  }
  return { message: String(err) };
}

/** Is this the gate's own login failing (rather than Azure refusing one read)? */
export function isLoginFailure(err: unknown): boolean {
  const name = err instanceof Error ? err.name : "";
  return name === "CredentialUnavailableError" || name === "AuthenticationError" || name === "AggregateAuthenticationError";
}

/** Settles a fetch into a fact; login failures propagate (they abort the run with one clear error). */
export async function settle<T>(work: () => Promise<T>): Promise<Fetched<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    if (isLoginFailure(err))
      throw new AzureLoginError(`the gate could not sign in to Azure: ${firstLine((err as Error).message)}`, { cause: err });
    return { ok: false, error: toFetchFailure(err) };
  }
}

/** Azure's "not found" answers, which are facts (absence), not failures. */
export function isNotFound(err: unknown): boolean {
  return isRestError(err) && err.statusCode === 404;
}
