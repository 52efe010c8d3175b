/**
 * Speed is measured by `npm run bench`, never asserted in `npm test` (issue 14): a stopwatch bound in a test
 * fails on a loaded machine and proves nothing about the product. This scans every test file for an assertion on
 * elapsed wall-clock time. What it finds is to be rewritten: attempts counted in the sandbox's request log, its
 * arrival order (`seq`) and in-flight requests (`openOnArrival`), a wait proven by order with
 * test/sandbox/testing/timers.ts, evidence that tells a timeout from the event that should have ended the wait.
 * An exception needs an ALLOWED entry with its reason (none is left).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

/**
 * An expect() over a stopwatch reading, a comparison on a variable that holds one, or arithmetic on a
 * request log's `at` (a real-clock arrival time: a gap or an overlap computed from it is a stopwatch too;
 * the log's `seq` and `openOnArrival` give order and concurrency without a clock).
 */
const TIMED = [
  /expect\([^;]*(Date\.now\(\)\s*-|performance\.now\(\)|hrtime)/,
  /(\b(elapsed|duration|took|gap|waited|lag)\w*|\.ms)\)\.toBe(Less|Greater)Than/,
  /\.at\s*[-+]\s*[\w$(]/,
  /[-+]\s*[\w$][\w$.!?[\]]*\.at\b(?!\s*\()/,
];

/** `file:line text` of each timed assertion in `text`. */
export function timedAssertions(file: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) => (TIMED.some((re) => re.test(line)) ? [`${file}:${i + 1} ${line.trim()}`] : []));
}

/** Lower bounds only (load can make a wait longer, never shorter), each the one proof that a delay is real. */
// Empty: the sandbox's latency and the SDK's Retry-After wait are proven by order (test/sandbox/testing/timers.ts).
const ALLOWED: Record<string, string> = {};

/** Every `*.test.ts` below test/, any fixtures folder left out (its files are inputs, not tests). */
function testFiles(): string[] {
  return readdirSync(path.join(ROOT, "test"), { recursive: true, encoding: "utf8" })
    .map((f) => path.posix.join("test", f.split(path.sep).join("/")))
    .filter((f) => f.endsWith(".test.ts") && !f.split("/").includes("fixtures"));
}

describe("no timed assertions in npm test", () => {
  it("finds a planted stopwatch bound in each shape it knows", () => {
    const planted = [
      "expect(Date.now() - started).toBeLessThan(10_000);",
      "expect(performance.now() - t0).toBeLessThan(50);",
      "const elapsed = Date.now() - t; expect(elapsed).toBeLessThan(300);",
      "expect(run.durationMs).toBeGreaterThan(1);",
      "expect(entry.ms).toBeLessThan(300);",
      "expect(log.at(-1)!.ms).toBeLessThan(300);",
      // Gaps and overlaps computed from the request log's arrival times.
      "expect(retried.at - throttled.at).toBeGreaterThanOrEqual(1000);",
      "expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(1000);",
      "const gap = later.at - earlier.at;",
      "const events = listings.flatMap((e) => [{ t: e.at, d: 1 }, { t: e.at + e.ms, d: -1 }]);",
      "const waited = now - entries[0]!.at;",
      "expect(gapMs).toBeGreaterThan(999);",
    ].join("\n");
    expect(timedAssertions("planted.test.ts", planted)).toHaveLength(12);
    // Dates are not stopwatches: an expiry compared with now, or a fake clock that did not move.
    expect(timedAssertions("ok.test.ts", "expect(s.expiresOn.getTime()).toBeLessThan(Date.now());\nexpect(Date.now()).toBe(0);")).toEqual(
      [],
    );
    // Nor are the last entry of a list, an arrival order, or the delay the sandbox says it added.
    const ordered = [
      "expect(sb.log.filter({ service: 'arm' }).at(-1)!.status).toBe(200);",
      "const last = entries.at(-1)! ; expect(last.delayedMs).toBe(300);",
      "expect(waits[0]!.fired).toBeLessThan(calls[1]!.seq);",
      "const inFlight = listings.map((e) => 1 + e.openOnArrival.length);",
    ].join("\n");
    expect(timedAssertions("ok.test.ts", ordered)).toEqual([]);
  });

  it("no test file asserts on elapsed wall-clock time, except the listed lower bounds", () => {
    // This file itself is left out: its planted examples are the patterns.
    const self = path
      .relative(ROOT, import.meta.filename)
      .split(path.sep)
      .join("/");
    const found = testFiles()
      .filter((f) => f !== self)
      .flatMap((f) => timedAssertions(f, readFileSync(path.join(ROOT, f), "utf8")));
    const unlisted = found.filter((hit) => !(hit.replace(/:\d+ /, ": ") in ALLOWED));
    expect(unlisted).toEqual([]);
    // An allowlist entry whose line is gone is stale.
    const stale = Object.keys(ALLOWED).filter((key) => !found.some((hit) => hit.replace(/:\d+ /, ": ") === key));
    expect(stale).toEqual([]);
  });
});
