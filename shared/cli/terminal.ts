/**
 * Everything the CLI prints passes through here: a file name, a manifest line in a diff or a message
 * from Azure can hold terminal escape sequences (ESC [ … to rewrite the screen, OSC 52 to write the
 * clipboard, OSC 8 to disguise a link, a bare CR to overwrite the line). Each control character is
 * printed as a visible `\xNN` instead (the report's own rule, sanitizeForTerminal), so the user sees
 * that a name is odd rather than the terminal obeying it. Newlines, tabs and CRLF line ends stay.
 */
import { sanitizeForTerminal } from "../report/text.js";
import type { CliIo } from "./io.js";

/** `text` with every control character except LF, tab and the CR of a CRLF made visible. */
export function terminalSafe(text: string): string {
  return text
    .split(/(\r?\n|\t)/)
    .map((part, i) => (i % 2 === 1 ? part : sanitizeForTerminal(part)))
    .join("");
}

/** The same streams, with every write made terminal-safe. */
export function terminalSafeIo(io: CliIo): CliIo {
  return {
    ...io,
    stdout: {
      write: (chunk: string) => io.stdout.write(terminalSafe(chunk)),
      ...(io.stdout.isTTY !== undefined ? { isTTY: io.stdout.isTTY } : {}),
    },
    stderr: { write: (chunk: string) => io.stderr.write(terminalSafe(chunk)) },
  };
}
