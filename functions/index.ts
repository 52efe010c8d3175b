/**
 * Azure Functions entry point (v4 Node programming model): registers the sweep's triggers. The
 * handlers live in handlers.ts; the runtime (clients, storage, config) is built once per worker, on
 * the first invocation, from the App Settings.
 */
import { app } from "@azure/functions";
import { makeHandlers } from "./handlers.js";
import { createRuntime, type FunctionRuntime } from "./runtime.js";
import { sweepScheduleOf } from "./settings.js";
import { QUEUES } from "../shared/sweep/messages.js";

let runtime: FunctionRuntime | undefined;
const handlers = makeHandlers(() => (runtime ??= createRuntime()));

// The storage trigger's connection: identity-based (`AzureWebJobsStorage__accountName`) or a connection string.
const connection = "AzureWebJobsStorage";

app.timer("complianceSweep", { schedule: sweepScheduleOf(process.env), runOnStartup: false, handler: handlers.complianceSweep });
app.storageQueue("checkBindings", { queueName: QUEUES.bindings, connection, handler: handlers.checkBindings });
app.storageQueue("rotateSecrets", { queueName: QUEUES.secrets, connection, handler: handlers.rotateSecrets });
app.storageQueue("auditReport", { queueName: QUEUES.report, connection, handler: handlers.auditReport });
app.http("httpSweep", { methods: ["GET", "POST"], authLevel: "function", route: "sweep", handler: handlers.httpSweep });
