/**
 * The probe's ONE JSON result line, as both built-in programs print it. The gate looks for the last log
 * line that is a JSON object with `azureAuthGateProbe: 1`, so whatever else the image logs does not matter;
 * anything that does not parse is "no result" (AG304), never a pass.
 *
 * The pod is not trusted: its image may come from the repository under check, and it runs as the production
 * identity with a projected token. So only the fields below are kept, every string is capped, control
 * characters are dropped and JWT-shaped text is masked before anything can reach a finding — nothing else the
 * pod prints (the rest of its log) is ever copied into a report.
 */
import { z } from "zod";

/** JWT-shaped text: a projected ServiceAccount token, an Entra access token, a GitHub ID token. */
const JWT = /eyJ[\w-]*\.[\w-]*\.?[\w-]*/g;
/** C0/C1 controls (terminal escapes, CR tricks) and bidi overrides. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** Pod text made safe for a report: masked, single-line, at most `max` characters. */
export function podText(text: string, max: number): string {
  const clean = text.replace(JWT, "[token]").replace(CONTROL, " ").replace(/\s+/g, " ").trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** A token claim the probe decoded (iss/sub/aud): a capped string, or nothing. */
function claim(value: unknown): string | undefined {
  return typeof value === "string" ? podText(value, 256) : undefined;
}

const capped = (max: number) => z.string().transform((s) => podText(s, max));
const nullableString = capped(300).nullish();
/** An SDK error code or class name (`AuthorizationPermissionMismatch`, `CredentialUnavailableError`): anything else is dropped. */
const identifier = z
  .string()
  .nullish()
  .transform((s) => (typeof s === "string" && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(s) ? s : undefined));
const name = capped(256);
/** At most `max` items: a pod cannot flood a report with rows. */
const list = <T extends z.ZodType>(item: T, max: number) => z.array(item).transform((a) => a.slice(0, max));

/** An HTTP refusal as the SDK reported it. */
const refusal = {
  ok: z.boolean(),
  status: z.number().int().nullish(),
  code: identifier,
  innerCode: identifier,
  name: identifier,
  message: nullableString,
};

export const blobResultSchema = z.object({
  account: name,
  container: name,
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
  vault: name,
  secret: name.nullish(),
  operation: z.enum(["get", "list"]).nullish(),
  ...refusal,
  enabled: z.boolean().nullish(),
  expiresOn: nullableString,
  listed: z.number().int().nullish(),
});

export const probeResultSchema = z.object({
  azureAuthGateProbe: z.literal(1),
  runtime: nullableString,
  setup: z.object({ ok: z.boolean(), message: capped(300) }).nullish(),
  identity: z
    .object({
      clientId: nullableString,
      tenantId: nullableString,
      authorityHost: nullableString,
      missing: list(capped(64), 10).default([]),
      assertion: z
        .object({ iss: z.unknown(), sub: z.unknown(), aud: z.unknown() })
        .transform((a) => ({ iss: claim(a.iss), sub: claim(a.sub), aud: claim(a.aud) }))
        .nullish(),
    })
    .nullish(),
  token: z.object({ ok: z.boolean(), name: identifier, message: capped(500).nullish() }).nullish(),
  blob: list(blobResultSchema, 100).default([]),
  keyVault: list(keyVaultResultSchema, 200).default([]),
});

export type ProbeResult = z.output<typeof probeResultSchema>;
export type BlobResult = z.output<typeof blobResultSchema>;
export type KeyVaultResult = z.output<typeof keyVaultResultSchema>;

export type ParsedLog = { ok: true; result: ProbeResult } | { ok: false; reason: string };

/** The last result line in a pod log, validated. */
export function parseProbeLog(log: string): ParsedLog {
  const lines = log
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
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

/** How much the pod printed, for evidence — never what: the pod's log is not trusted text. */
export function logSize(log: string): string {
  const lines = log.split(/\r?\n/).filter((l) => l.trim() !== "").length;
  return lines === 0
    ? "no output"
    : `${lines} line${lines === 1 ? "" : "s"} of output, not shown (pod output never reaches a report; \`kubectl logs\` shows it)`;
}
