/**
 * A code fence longer than any backtick run in `content`, so nothing inside can close it early
 * (CommonMark closes a fence only with at least as many backticks as opened it). Every run counts,
 * indented or mid-line: GitHub renders report code blocks and suggestion blocks with the same rule.
 */
export function fenceFor(content: string): string {
  let longest = 0;
  for (const run of content.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}
