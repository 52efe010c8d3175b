/**
 * The Function's handlers, separate from their registration (functions/index.ts) so they can be invoked
 * directly with an InvocationContext. Each one does one step of the sweep (shared/sweep/pipeline.ts) inside
 * `withInvocationLog` (functions/invocation-log.ts): every line logged during it, the handler's own and every layer's,
 * goes through the run's SecretMask to this invocation's context.
 *
 * Queue handlers: a message that does not parse goes straight to `<queue>-poison` with the reason; a
 * failure is thrown back to the host (which retries) until the last allowed delivery, when the message
 * goes to the poison queue with the error as the reason instead.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from "@azure/functions";
import type { z } from "zod";
import { InputError } from "../shared/errors.js";
import {
  bindingsMessageSchema,
  parseMessage,
  POISON_SUFFIX,
  QUEUES,
  reportMessageSchema,
  secretsMessageSchema,
} from "../shared/sweep/queue-messages.js";
import {
  assembleReport,
  checkBatch,
  completeIfDone,
  planSweep,
  secretsPart,
  startRun,
  type SweepRuntime,
} from "../shared/sweep/pipeline.js";
import { log } from "../shared/log.js";
import { withInvocationLog } from "./invocation-log.js";
import type { FunctionRuntime } from "./sweep-runtime.js";

/** host.json `extensions.queues.maxDequeueCount`. */
export const MAX_DEQUEUE_COUNT = 5;

type RuntimeSource = () => FunctionRuntime;

function dequeueCount(context: InvocationContext): number {
  const raw = context.triggerMetadata?.dequeueCount;
  const n = typeof raw === "number" ? raw : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

async function poison(rt: SweepRuntime, queue: string, raw: unknown, reason: string): Promise<void> {
  const maskedReason = rt.mask.mask(reason);
  log.warning(`message moved to ${queue}${POISON_SUFFIX}: ${maskedReason}`);
  await rt.queues.send(`${queue}${POISON_SUFFIX}`, {
    reason: maskedReason,
    failedAt: rt.now().toISOString(),
    message: JSON.parse(rt.mask.mask(JSON.stringify(raw ?? null))) as unknown,
  });
}

/** A queue trigger's handler: parses the message against `schema`, then runs `work` (poison and retry as above). */
function queueHandler<T>(
  source: RuntimeSource,
  queue: string,
  schema: z.ZodType<T>,
  work: (rt: FunctionRuntime, message: T) => Promise<void>,
): (raw: unknown, context: InvocationContext) => Promise<void> {
  return async (raw, context) => {
    const rt = source();
    await withInvocationLog(context, rt.mask, async () => {
      const parsed = parseMessage(schema, raw);
      if (!parsed.ok) return poison(rt, queue, raw, parsed.reason);
      try {
        await work(rt, parsed.message);
      } catch (err) {
        const reason = err instanceof InputError ? err.oneLine() : rt.mask.describe(err);
        // Bad input never gets better by retrying; anything else is retried until the last delivery.
        if (err instanceof InputError || dequeueCount(context) >= MAX_DEQUEUE_COUNT)
          return poison(rt, queue, raw, `${reason} (delivery ${dequeueCount(context)})`);
        log.error(`attempt ${dequeueCount(context)} failed, the host will retry: ${reason}`);
        // No `cause`: the host logs the error it gets, and the original may quote a secret; `reason` is masked.
        // eslint-disable-next-line preserve-caught-error
        throw new Error(reason);
      }
    });
  };
}

export function makeHandlers(source: RuntimeSource) {
  return {
    /** Timer: one run per scope; each run's work goes onto the queues. */
    async complianceSweep(_timer: Timer, context: InvocationContext): Promise<void> {
      const rt = source();
      await withInvocationLog(context, rt.mask, async () => {
        for (const scope of rt.config.scopes) {
          const manifest = await startRun(rt, scope.name, { rotate: rt.settings.rotateOnSchedule });
          log.info(`sweep of ${scope.name}: run ${manifest.runId}, ${manifest.parts.length} part(s) enqueued`);
        }
      });
    },

    /** Queue: AG2xx checks for one batch of bindings. */
    checkBindings: queueHandler(source, QUEUES.bindings, bindingsMessageSchema, async (rt, msg) => {
      await checkBatch(rt, msg);
      await completeIfDone(rt, msg.runId);
    }),

    /** Queue: secret hygiene (AG401–AG403) and rotation of the opted-in apps (AG404/AG405). */
    rotateSecrets: queueHandler(source, QUEUES.secrets, secretsMessageSchema, async (rt, msg) => {
      await secretsPart(rt, msg, rt.clients().graph);
      await completeIfDone(rt, msg.runId);
    }),

    /** Queue: assembles a complete run's audit report, writes it once and posts it. */
    auditReport: queueHandler(source, QUEUES.report, reportMessageSchema, async (rt, msg) => {
      await assembleReport(rt, msg.runId);
    }),

    /** HTTP (function key): an on-demand sweep of one scope, run inline; answers the JSON report. Rotation only by POST. */
    async httpSweep(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
      let rt: FunctionRuntime;
      try {
        rt = source();
      } catch (err) {
        return { status: 500, jsonBody: { error: err instanceof InputError ? err.oneLine() : "the Function is misconfigured" } };
      }
      const scope = request.query.get("scope") ?? (rt.config.scopes.length === 1 ? rt.config.scopes[0]!.name : undefined);
      if (!scope) return { status: 400, jsonBody: { error: `name the scope: ?scope=${rt.config.scopes.map((s) => s.name).join("|")}` } };
      if (!rt.config.scopes.some((s) => s.name === scope)) return { status: 404, jsonBody: { error: `unknown scope '${scope}'` } };
      const rotate = request.query.get("rotate") === "true";
      // GET must be safe (a link preview, a crawler or a prefetch follows it): rotation changes state, so only POST rotates.
      if (rotate && request.method !== "POST") {
        return {
          status: 405,
          headers: { allow: "POST" },
          jsonBody: { error: "rotation changes credentials: send it as POST /api/sweep?rotate=true (GET only scans)" },
        };
      }
      return withInvocationLog(context, rt.mask, async () => {
        try {
          const { manifest, messages } = await planSweep(rt, scope, { rotate });
          for (const m of messages) {
            if (m.kind === "bindings") await checkBatch(rt, m);
            else await secretsPart(rt, m, rt.clients().graph);
          }
          const assembled = await assembleReport(rt, manifest.runId);
          return { status: 200, headers: { "content-type": "application/json" }, body: assembled.json };
        } catch (err) {
          const reason = err instanceof InputError ? err.oneLine() : rt.mask.describe(err);
          log.error(`on-demand sweep of ${scope} failed: ${reason}`);
          return { status: 502, jsonBody: { error: reason } };
        }
      });
    },
  };
}

export type Handlers = ReturnType<typeof makeHandlers>;
