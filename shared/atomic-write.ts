/**
 * Files are written atomically: a temporary file beside the target, renamed over it only once the
 * whole text is written. A run that fails (exit 2/3) never leaves a half-written report (`--output`)
 * or manifest (`fix --write`). At the bottom layer so the fix engine and the CLI share it.
 */
import { randomBytes } from "node:crypto";
import { rm, rename, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface AtomicWriteOptions {
  /** Permission bits of the new file (default: the process's umask applied to 0o666). */
  mode?: number;
  /** Start the file with a UTF-8 byte order mark. */
  bom?: boolean;
}

/** The one atomic writer. On failure the temporary file is removed and the file system's error is rethrown. */
export async function writeFileAtomic(file: string, text: string, options: AtomicWriteOptions = {}): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temp, (options.bom ? "\uFEFF" : "") + text, {
      encoding: "utf8",
      flag: "wx",
      ...(options.mode !== undefined ? { mode: options.mode } : {}),
    });
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
