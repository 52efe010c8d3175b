/**
 * Making user-controlled text (resource names, namespaces, evidence, waiver reasons) inert in GitHub
 * markdown — in table cells, paragraphs and inside raw HTML like `<summary>` alike. Every character that
 * could open markup (HTML tags, links, emphasis, code spans, table cells, @mentions, #refs, autolinks
 * via `:`) becomes a numeric character reference, which GitHub renders as the character itself.
 */
import { fenceFor } from "../markdown-fence.js";

const ENTITY: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "|": "&#124;",
  "`": "&#96;",
  "[": "&#91;",
  "]": "&#93;",
  "(": "&#40;",
  ")": "&#41;",
  "*": "&#42;",
  _: "&#95;",
  "~": "&#126;",
  "@": "&#64;",
  "#": "&#35;",
  "\\": "&#92;",
  "!": "&#33;",
  ":": "&#58;",
  $: "&#36;",
};

const SPECIAL = /[&<>"'|`[\]()*_~@#\\!:$]/g;

/** One line of inert text: markup characters as entities, line breaks and control characters as spaces. */
export function escapeMarkdown(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
      .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
      .replace(SPECIAL, (c) => ENTITY[c] ?? c)
  );
}

export { fenceFor };

/** A fenced code block whose content is shown verbatim (no markdown or HTML inside is interpreted). */
export function codeBlock(content: string, info = ""): string {
  const body = content.replace(/\r\n?/g, "\n").replace(/\n+$/, "");
  const fence = fenceFor(body);
  return `${fence}${info}\n${body}\n${fence}`;
}
