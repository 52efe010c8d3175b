/** `--output FILE`: the report is written atomically (shared/atomic-write.ts), so a failed run never leaves half a report. */
import { writeFileAtomic } from "../atomic-write.js";
import { InputError } from "../errors.js";

/** `--output FILE`: the report, atomically; a failure is one line naming the file. */
export async function writeReportFile(file: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(file, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "its directory does not exist"
        : code === "EACCES" || code === "EPERM"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a directory"
            : (err as Error).message;
    throw new InputError(`cannot write the report: ${why}`, { file, field: "--output" });
  }
}
