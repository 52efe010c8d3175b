/**
 * Queue messages between the sweep's functions, and the run layout in Blob. Messages carry names and
 * ids only (never a secret, never findings); a message that does not parse is poison, with the reason.
 */
import { z } from "zod";

export const QUEUES = { bindings: "aag-check-bindings", secrets: "aag-rotate-secrets", report: "aag-audit-report" } as const;
export const POISON_SUFFIX = "-poison";

const runId = z.string().regex(/^[0-9]{8}T[0-9]{6}Z-[a-z0-9]{6}$/, "not a run id");
const cluster = z.object({ subscription: z.string().min(1), resourceGroup: z.string().min(1), name: z.string().min(1) }).strict();

export const checkUnitSchema = z
  .object({
    cluster,
    target: z
      .object({
        workload: z.string().min(1),
        serviceAccount: z.string().min(1),
        clientId: z.string().optional(),
        blob: z.array(z.object({ account: z.string(), container: z.string(), access: z.enum(["read", "write"]) }).strict()).optional(),
        keyVault: z
          .array(z.object({ vault: z.string(), secrets: z.array(z.string()), access: z.enum(["get", "list"]) }).strict())
          .optional(),
      })
      .strict(),
    source: z.string(),
  })
  .strict();

export const bindingsMessageSchema = z
  .object({
    kind: z.literal("bindings"),
    runId,
    scope: z.string().min(1),
    part: z.string().regex(/^bindings-\d{4}$/),
    units: z.array(checkUnitSchema).min(1),
  })
  .strict();
export const secretsMessageSchema = z
  .object({ kind: z.literal("secrets"), runId, scope: z.string().min(1), part: z.literal("secrets"), rotate: z.boolean() })
  .strict();
export const reportMessageSchema = z.object({ kind: z.literal("report"), runId }).strict();

export type BindingsMessage = z.output<typeof bindingsMessageSchema>;
export type SecretsMessage = z.output<typeof secretsMessageSchema>;

export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: string };

/** Accepts what the Functions runtime hands over: an object (JSON messages are parsed) or a string. */
export function parseMessage<T>(schema: z.ZodType<T>, raw: unknown): Parsed<T> {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, reason: "message is not JSON" };
    }
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, reason: `invalid message: ${issue?.path.join(".") || "(top level)"}: ${issue?.message ?? "does not match"}` };
}

export function newRunId(now: Date, random: () => string): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `${stamp}-${random().slice(0, 6)}`;
}

/** Blob layout of one run and of the audit trail. */
export const paths = {
  manifest: (id: string) => `runs/${id}/manifest.json`,
  part: (id: string, part: string) => `runs/${id}/parts/${part}.json`,
  /** What discovery read for one batch (shared/sweep/batch-seed.ts), read by its checkBindings invocation. */
  seed: (id: string, part: string) => `runs/${id}/seeds/${part}.json`,
  parts: (id: string) => `runs/${id}/parts/`,
  audit: (id: string, at: Date, ext: "json" | "md") =>
    `audit/${at.toISOString().slice(0, 4)}/${at.toISOString().slice(5, 7)}/${at.toISOString().slice(8, 10)}/${id}.${ext}`,
  latest: "audit/latest.json",
};
