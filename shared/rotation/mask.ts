/**
 * Keeps secret values out of every output. The rotation registers each secret value the moment it
 * holds one (addPassword's answer, a Key Vault read); every log line, finding, error message and
 * report the engine emits goes through `mask()`, which replaces the value and its common encodings
 * (base64, base64url, URL-encoding) with a fixed marker.
 */
const MARK = "[secret redacted]";

export class SecretMask {
  private readonly needles = new Set<string>();

  /** Registers a secret value (and its encodings). Short strings are ignored: they would mask ordinary text. */
  add(value: string | undefined): void {
    if (!value || value.length < 8) return;
    const buf = Buffer.from(value, "utf8");
    for (const form of [
      value,
      buf.toString("base64"),
      buf.toString("base64url"),
      encodeURIComponent(value),
      JSON.stringify(value).slice(1, -1),
    ]) {
      this.needles.add(form);
      // base64 without padding also appears inside longer encoded blobs.
      this.needles.add(form.replace(/=+$/, ""));
    }
  }

  get size(): number {
    return this.needles.size;
  }

  mask(text: string): string {
    let out = text;
    // Longest first, so an encoding that contains another is replaced whole.
    for (const needle of [...this.needles].sort((a, b) => b.length - a.length)) {
      if (needle.length >= 8) out = out.split(needle).join(MARK);
    }
    return out;
  }

  /** An error's first line, masked: what an error may say about a step that handled a secret. */
  describe(err: unknown): string {
    const raw = err instanceof Error ? err.message : String(err);
    return this.mask((raw.split("\n")[0] ?? "").slice(0, 400));
  }
}
