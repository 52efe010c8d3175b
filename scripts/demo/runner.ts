/**
 * The demo's frame: steps run in order, each shows what a user would see and returns what went wrong
 * (nothing when it behaved as expected). The steps build on each other (no sandbox → nothing to check),
 * so the first step that misbehaves ends the run and the rest are listed as skipped. Cleanup runs on every
 * path, and everything printed is kept so the run can prove no secret value was shown.
 */

export interface DemoStep {
  title: string;
  /** Shows its output and returns what went wrong (empty when the step behaved as expected). */
  run(): Promise<string[]>;
}

export interface DemoOptions {
  /** Always runs last (stops the sandbox), also after a failed or crashed step. */
  cleanup?: () => Promise<void>;
  /** Values that must never appear in the output (checked after the run, in plain text and base64). */
  secrets?: () => readonly string[];
}

/** Colour only on a terminal, and never with NO_COLOR. */
export const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
let transcript = "";

export const paint = (code: number, text: string): string => (color ? `\u001b[${code}m${text}\u001b[0m` : text);

/** Prints to stdout (one or more lines) and keeps it for the secret scan. */
export function say(text = ""): void {
  const line = `${text}\n`;
  transcript += line;
  process.stdout.write(line);
}

/** Indented block of another program's output. */
export function show(text: string, indent = "    "): void {
  for (const line of text.replace(/\n+$/, "").split("\n")) say(line ? indent + line : "");
}

function leaked(secrets: readonly string[]): boolean {
  return secrets.filter((s) => s.length >= 8).some((s) => transcript.includes(s) || transcript.includes(Buffer.from(s).toString("base64")));
}

export async function runDemo(steps: readonly DemoStep[], options: DemoOptions = {}): Promise<number> {
  transcript = "";
  const started = Date.now();
  let failure: string | undefined;
  say(paint(1, "Azure Auth Gate demo: the seed-000 outage, end to end, on the local Azure sandbox"));
  try {
    for (const [i, step] of steps.entries()) {
      const label = `${i + 1}/${steps.length}`;
      if (failure) {
        say(paint(2, `--- ${label} ${step.title}: skipped`));
        continue;
      }
      say(`\n${paint(1, `==> ${label} ${step.title}`)}`);
      const t0 = Date.now();
      let problems: string[];
      try {
        problems = await step.run();
      } catch (err) {
        problems = [`step crashed: ${((err as Error).message ?? String(err)).split("\n")[0]}`];
      }
      const took = paint(2, `(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      if (problems.length === 0) {
        say(`${paint(32, "✔ behaved as expected")} ${took}`);
      } else {
        for (const p of problems) say(paint(31, `✘ ${p}`));
        failure = ` at step ${label} (${step.title}): ${problems[0]}`;
      }
    }
  } finally {
    await options.cleanup?.();
  }
  if (!failure && options.secrets && leaked(options.secrets())) failure = ": a secret value appeared in the demo's output";
  say("");
  if (failure) {
    say(paint(31, `Demo FAILED${failure}`));
    return 1;
  }
  say(paint(32, `Demo OK: ${steps.length}/${steps.length} steps behaved as expected (${((Date.now() - started) / 1000).toFixed(0)} s).`));
  return 0;
}
