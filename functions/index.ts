/**
 * Azure Functions entry point (v4 Node programming model): registers the sweep's triggers and the
 * deployment protection rule's webhook (deployment-protection/). The
 * sweep's handlers live in sweep-handlers.ts; its runtime (clients, storage, config) is built once per worker, on
 * the first invocation, from the App Settings.
 */
import { app } from "@azure/functions";
import { makeProtectionHandlers } from "./deployment-protection/handlers.js";
import { REVIEW_QUEUE } from "./deployment-protection/messages.js";
import { createProtectionRuntime, type ProtectionRuntime } from "./deployment-protection/runtime.js";
import { makeHandlers } from "./sweep-handlers.js";
import { createRuntime, type FunctionRuntime } from "./sweep-runtime.js";
import { sweepScheduleOf } from "./sweep-settings.js";
import { QUEUES } from "../shared/sweep/queue-messages.js";

let runtime: FunctionRuntime | undefined;
const handlers = makeHandlers(() => (runtime ??= createRuntime()));
// The deployment protection rule has its own settings (AAG_GITHUB_*): an app may run it without the sweep.
let protection: ProtectionRuntime | undefined;
const protectionHandlers = makeProtectionHandlers(() => (protection ??= createProtectionRuntime()));

// The storage trigger's connection: identity-based (`AzureWebJobsStorage__accountName`) or a connection string.
const connection = "AzureWebJobsStorage";

app.timer("complianceSweep", { schedule: sweepScheduleOf(process.env), runOnStartup: false, handler: handlers.complianceSweep });
app.storageQueue("checkBindings", { queueName: QUEUES.bindings, connection, handler: handlers.checkBindings });
app.storageQueue("rotateSecrets", { queueName: QUEUES.secrets, connection, handler: handlers.rotateSecrets });
app.storageQueue("auditReport", { queueName: QUEUES.report, connection, handler: handlers.auditReport });
// Anonymous: GitHub cannot send a function key; the webhook signature (X-Hub-Signature-256) is the authentication.
app.http("deploymentProtection", {
  methods: ["POST"],
  authLevel: "anonymous",
  route: "github/deployment-protection",
  handler: protectionHandlers.deploymentProtection,
});
app.storageQueue("reviewDeployment", { queueName: REVIEW_QUEUE, connection, handler: protectionHandlers.reviewDeployment });
app.http("httpSweep", { methods: ["GET", "POST"], authLevel: "function", route: "sweep", handler: handlers.httpSweep });
