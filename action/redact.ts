/** Token redaction, apart from login.ts (which loads the Azure identity SDK) so a static run need not load it. */

/** Anything shaped like a JWT is replaced before a message reaches a log or a report. */
export function redactTokens(text: string): string {
  return text.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, "[token]");
}
