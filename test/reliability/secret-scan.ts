/**
 * Secret hygiene: finds secret bytes in captured outputs — stdout/stderr, reports, summaries, PR
 * comments, Blob objects, queue messages. A secret counts as leaked when it appears raw, URL-encoded,
 * hex-encoded, or base64 / base64url encoded at ANY byte alignment (a secret inside a larger base64
 * blob — a queue message, a JSON body in a Blob — is encoded starting at offset 0, 1 or 2 of a
 * 3-byte group, and each gives a different stable core of characters).
 *
 * The one scanner for the sandbox-backed suites: `secretNeedles` says what to look for, `findSecrets` /
 * `assertNoSecrets` where it was found.
 */
import type { Sandbox } from "../sandbox/index.js";

export interface Leak {
  where: string;
  /** The first characters of the secret only, so the report itself does not leak it. */
  secret: string;
  form: string;
}

/** The base64 characters that encode `needle` whatever bytes precede it (alignment 0, 1 or 2). */
export function base64Cores(needle: Buffer, alphabet: "base64" | "base64url"): string[] {
  const cores: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = Buffer.concat([Buffer.alloc(shift), needle]);
    const encoded = padded.toString(alphabet).replace(/=+$/, "");
    // Characters touched by the zero prefix or by whatever follows the needle differ in real output.
    const start = Math.ceil((shift * 8) / 6);
    const end = Math.floor(((shift + needle.length) * 8) / 6);
    const core = encoded.slice(start, end);
    if (core.length >= 6) cores.push(core);
  }
  return cores;
}

/** Every form of `secret` to look for. Secrets shorter than 8 characters are too ambiguous to scan for. */
export function secretForms(secret: string): { form: string; text: string }[] {
  if (secret.length < 8) return [];
  const bytes = Buffer.from(secret, "utf8");
  const forms = [
    { form: "raw", text: secret },
    { form: "url-encoded", text: encodeURIComponent(secret) },
    { form: "hex", text: bytes.toString("hex") },
    ...base64Cores(bytes, "base64").map((text) => ({ form: "base64", text })),
    ...base64Cores(bytes, "base64url").map((text) => ({ form: "base64url", text })),
  ];
  const seen = new Set<string>();
  return forms.filter((f) => !seen.has(f.text) && seen.add(f.text));
}

/** Scans named texts (or buffers) for every secret in every form. */
export function findSecrets(texts: Record<string, string | Buffer> | Map<string, string | Buffer>, secrets: Iterable<string>): Leak[] {
  const entries = texts instanceof Map ? [...texts] : Object.entries(texts);
  const haystacks = entries.map(([where, t]) => [where, typeof t === "string" ? t : t.toString("latin1")] as const);
  const leaks: Leak[] = [];
  for (const secret of new Set(secrets)) {
    for (const { form, text } of secretForms(secret)) {
      for (const [where, hay] of haystacks)
        if (form === "hex" ? hay.toLowerCase().includes(text) : hay.includes(text))
          leaks.push({ where, secret: `${secret.slice(0, 4)}…`, form });
    }
  }
  return leaks;
}

/** Throws (naming where and in which form) when any secret appears in any text. */
export function assertNoSecrets(texts: Record<string, string | Buffer> | Map<string, string | Buffer>, secrets: Iterable<string>): void {
  const leaks = findSecrets(texts, secrets);
  if (leaks.length > 0) throw new Error(`secret leaked: ${leaks.map((l) => `${l.where} (${l.form}, ${l.secret})`).join("; ")}`);
}

/** Every secret value the tenant holds or held: app passwords, vault secret versions, plus `also` (e.g. removed ones seen earlier). */
export function secretNeedles(sb: Pick<Sandbox, "state">, also: Iterable<string> = []): Set<string> {
  const out = new Set<string>(also);
  for (const a of sb.state.applications) for (const p of a.passwordCredentials) out.add(p.secretText);
  for (const v of sb.state.keyVaults) for (const s of v.secrets) for (const x of s.versions) out.add(x.value);
  return out;
}
