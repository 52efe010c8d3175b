/**
 * Errors a user can fix by changing their input (files, flags, config). Every entry point turns an
 * InputError into one line on stderr and exit code 2 — never a stack trace, never a half-written output.
 */
export class InputError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;

  constructor(message: string, where: { file?: string; line?: number; field?: string } = {}) {
    super(message);
    this.name = "InputError";
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
  }

  /** `file:line: field: message` with whatever parts are known. */
  oneLine(): string {
    const place = [this.file, this.line !== undefined ? String(this.line) : undefined].filter(Boolean).join(":");
    const head = [place, this.field].filter(Boolean).join(": ");
    return (head ? `${head}: ${this.message}` : this.message).replace(/\s*\n\s*/g, " ");
  }
}

/** Several files refused in one run (a directory with more than one broken file): one line each. */
export class InputErrorList extends InputError {
  readonly errors: readonly InputError[];

  constructor(errors: readonly InputError[]) {
    super(`${errors.length} inputs refused`);
    this.name = "InputErrorList";
    this.errors = errors;
  }

  override oneLine(): string {
    return this.errors.map((e) => e.oneLine()).join("; ");
  }
}

/** Why a file could not be read, in the words a user expects ("no such file or directory"), from its error code. */
export function unreadableReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file or directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  if (code === "ELOOP") return "symbolic link loop";
  return `cannot read it (${code ?? (err instanceof Error ? err.message : String(err))})`;
}
