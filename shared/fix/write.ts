/**
 * `fix --write`: each file is replaced atomically (a temporary file beside it, renamed over it), with
 * its permissions and a UTF-8 byte order mark kept, so a failed run never leaves a half-written manifest.
 */
import { randomBytes } from "node:crypto";
import { open, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.js";

async function hasBom(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const buf = Buffer.alloc(3);
    const { bytesRead } = await handle.read(buf, 0, 3, 0);
    return bytesRead === 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  } finally {
    await handle.close();
  }
}

export async function replaceFileAtomic(file: string, text: string): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const { mode } = await stat(file);
    const bom = (await hasBom(file)) ? "\uFEFF" : "";
    await writeFile(temp, bom + text, { encoding: "utf8", flag: "wx", mode: mode & 0o7777 });
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "EACCES" || code === "EPERM" ? "permission denied" : code === "ENOENT" ? "it no longer exists" : (err as Error).message;
    throw new InputError(`cannot write the fixed manifest: ${why}`, { file });
  }
}
