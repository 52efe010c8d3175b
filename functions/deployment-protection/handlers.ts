/**
 * The deployment protection rule's handlers, separate from their registration (functions/index.ts) so
 * tests invoke them directly with an InvocationContext, as the host does.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { InputError } from "../../shared/errors.js";
import type { ProtectionRuntime } from "./runtime.js";
import { receiveWebhook } from "./webhook.js";

type RuntimeSource = () => ProtectionRuntime;

export function makeProtectionHandlers(source: RuntimeSource) {
  return {
    /** HTTP: the GitHub App's webhook (signature first; 202 and a queue message for a review). */
    async deploymentProtection(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
      let rt: ProtectionRuntime;
      try {
        rt = source();
      } catch (err) {
        context.error(`deployment protection is misconfigured: ${err instanceof InputError ? err.oneLine() : String(err)}`);
        return { status: 500, jsonBody: { message: "the Function is misconfigured" } };
      }
      return receiveWebhook(rt, request, context);
    },
  };
}

export type ProtectionHandlers = ReturnType<typeof makeProtectionHandlers>;
