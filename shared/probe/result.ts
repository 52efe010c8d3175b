/**
 * The probe's ONE JSON result line, as both built-in programs print it. The gate looks for the last log line that is a JSON object with
 * `azureAuthGateProbe: 1`, so whatever else the image logs does not matter; anything that does not
 * parse is "no result" (AG304), never a pass.
 */
import { z } from "zod";

const nullableString = z.string().nullish();

/** An HTTP refusal as the SDK reported it. */
const refusal = {
  ok: z.boolean(),
  status: z.number().int().nullish(),
  code: nullableString,
  innerCode: nullableString,
  name: nullableString,
  message: nullableString,
};

export const blobResultSchema = z.object({
  account: z.string(),
  container: z.string(),
  /** `read` (list + read one blob; the default) or `write` (create and delete the marker blob). */
  operation: z.enum(["read", "write"]).nullish(),
  ...refusal,
  listed: z.number().int().nullish(),
  read: z.boolean().nullish(),
  /** write: the marker's name, and whether deleting it afterwards worked (and how it failed). */
  marker: nullableString,
  cleaned: z.boolean().nullish(),
  cleanup: z.object(refusal).nullish(),
});

export const keyVaultResultSchema = z.object({
  vault: z.string(),
  secret: z.string().nullish(),
  operation: z.enum(["get", "list"]).nullish(),
  ...refusal,
  enabled: z.boolean().nullish(),
  expiresOn: nullableString,
  listed: z.number().int().nullish(),
});

export const probeResultSchema = z.object({
  azureAuthGateProbe: z.literal(1),
  runtime: nullableString,
  setup: z.object({ ok: z.boolean(), message: z.string() }).nullish(),
  identity: z
    .object({
      clientId: nullableString,
      tenantId: nullableString,
      authorityHost: nullableString,
      missing: z.array(z.string()).default([]),
      assertion: z.object({ iss: z.unknown(), sub: z.unknown(), aud: z.unknown() }).nullish(),
    })
    .nullish(),
  token: z.object({ ok: z.boolean(), name: nullableString, message: nullableString }).nullish(),
  blob: z.array(blobResultSchema).default([]),
  keyVault: z.array(keyVaultResultSchema).default([]),
});

export type ProbeResult = z.output<typeof probeResultSchema>;
export type BlobResult = z.output<typeof blobResultSchema>;
export type KeyVaultResult = z.output<typeof keyVaultResultSchema>;

export type ParsedLog = { ok: true; result: ProbeResult } | { ok: false; reason: string };

/** The last result line in a pod log, validated. */
export function parseProbeLog(log: string): ParsedLog {
  const lines = log.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  let malformed: string | undefined;
  for (const line of lines.reverse()) {
    if (!line.startsWith("{") || !line.includes("azureAuthGateProbe")) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      malformed ??= "a result line that is not valid JSON";
      continue;
    }
    const parsed = probeResultSchema.safeParse(json);
    if (parsed.success) return { ok: true, result: parsed.data };
    const issue = parsed.error.issues[0];
    malformed ??= `a result line with an invalid field ${issue ? issue.path.join(".") : ""}: ${issue?.message ?? ""}`.trim();
  }
  return { ok: false, reason: malformed ?? (lines.length === 0 ? "an empty log" : "no result line") };
}

/** The last few log lines for evidence: short, single-spaced. The probe never prints secret values. */
export function logTail(log: string, lines = 3, max = 400): string {
  const tail = log.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).slice(-lines).join(" | ");
  return tail.length > max ? `…${tail.slice(-max)}` : tail;
}
