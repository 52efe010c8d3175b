/** What the CLI touches of its process, injected so tests run `main` in-process with their own streams. */
export interface CliIo {
  /** Read in full only when a PATH is `-`. */
  stdin: AsyncIterable<string | Uint8Array>;
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
}

/** The real process, for the bin file. */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** stdin larger than this is refused rather than buffered (rendered charts are far smaller). */
export const MAX_STDIN_BYTES = 64 * 1024 * 1024;
