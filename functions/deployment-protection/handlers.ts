/**
 * The deployment protection rule's handlers, separate from their registration (functions/index.ts) so
 * tests invoke them directly with an InvocationContext, as the host does.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { InputError } from "../../shared/errors.js";
import { parseMessage } from "../../shared/sweep/queue-messages.js";
import { MAX_DEQUEUE_COUNT } from "../sweep-handlers.js";
import { reviewMessageSchema } from "./messages.js";
import { reviewDeployment } from "./review.js";
import type { ProtectionRuntime } from "./runtime.js";
import { receiveWebhook } from "./webhook.js";
import { log } from "../../shared/log.js";
import { withInvocationLog } from "../invocation-log.js";
import { SecretMask } from "../../shared/rotation/mask.js";

type RuntimeSource = () => ProtectionRuntime;

export function makeProtectionHandlers(source: RuntimeSource) {
  return {
    /** HTTP: the GitHub App's webhook (signature first; 202 and a queue message for a review). */
    async deploymentProtection(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
      let rt: ProtectionRuntime;
      try {
        rt = source();
      } catch (err) {
        // No runtime, so no secret is known yet: an empty mask, but still the one seam (JWT-shaped text is
        // masked there, and a multi-line error is cut to its first line like every other Function error).
        const mask = new SecretMask();
        const reason = err instanceof InputError ? err.oneLine() : mask.describe(err);
        await withInvocationLog(context, mask, async () => log.error(`deployment protection is misconfigured: ${reason}`));
        return { status: 500, jsonBody: { message: "the Function is misconfigured" } };
      }
      return withInvocationLog(context, rt.mask, () => receiveWebhook(rt, request));
    },

    /**
     * Queue: one review. A failure worth retrying is thrown back to the host; on the last allowed
     * delivery the rule is rejected instead ("could not verify"), so it never waits forever.
     */
    async reviewDeployment(message: unknown, context: InvocationContext): Promise<void> {
      const rt = source();
      await withInvocationLog(context, rt.mask, async () => {
        const parsed = parseMessage(reviewMessageSchema, message);
        if (!parsed.ok) {
          // Not from our webhook: nothing to review, and nothing to answer.
          log.warning(`review message dropped: ${parsed.reason}`);
          return;
        }
        const raw = context.triggerMetadata?.dequeueCount;
        const attempt = typeof raw === "number" ? raw : Number(raw) || 1;
        try {
          await reviewDeployment(rt, parsed.message, { lastAttempt: attempt >= MAX_DEQUEUE_COUNT });
        } catch (err) {
          const reason = rt.mask.describe(err);
          log.error(
            `review of run ${parsed.message.runId} (${parsed.message.environment}), attempt ${attempt}, failed; the host will retry: ${reason}`,
          );
          // No `cause`: the host logs what it gets, and the original may quote a secret; `reason` is masked.
          // eslint-disable-next-line preserve-caught-error
          throw new Error(reason);
        }
      });
    },
  };
}

export type ProtectionHandlers = ReturnType<typeof makeProtectionHandlers>;
