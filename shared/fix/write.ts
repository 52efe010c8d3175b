/**
 * `fix --write`: each file is replaced atomically (shared/atomic-write.ts), with its permissions and a
 * UTF-8 byte order mark kept, so a failed run never leaves a half-written manifest.
 */
import { open, stat } from "node:fs/promises";
import { writeFileAtomic } from "../atomic-write.js";
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
  try {
    const { mode } = await stat(file);
    await writeFileAtomic(file, text, { mode: mode & 0o7777, bom: await hasBom(file) });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "EACCES" || code === "EPERM" ? "permission denied" : code === "ENOENT" ? "it no longer exists" : (err as Error).message;
    throw new InputError(`cannot write the fixed manifest: ${why}`, { file });
  }
}
