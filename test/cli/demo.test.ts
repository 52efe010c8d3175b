/** `npm run demo` (run by CI): both example folders behave as expected, and a misbehaving step fails the demo. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { runDemo, steps, type DemoStep } from "../../scripts/demo.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function quiet(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
  return lines;
}

describe("the demo", () => {
  it("shows the broken example failing and the fixed one passing", async () => {
    const out = quiet();
    const code = await runDemo(steps);
    const text = out.join("\n");
    vi.restoreAllMocks();
    expect(code, text).toBe(0);
    expect(text).toContain("$ azure-auth-gate check examples/django-broken/");
    expect(text).toMatch(/FAIL {2}\d+ errors/);
    expect(text).toContain("PASS  0 errors");
    expect(text).toContain("Demo OK: 2/2 steps behaved as expected.");
  });

  it("exits non-zero when a step does not behave as expected", async () => {
    const out = quiet();
    const broken: DemoStep = { title: "a step that finds a problem", run: async () => ["expected exit 1, got 0"] };
    const code = await runDemo([steps[1]!, broken]);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(out.join("\n")).toContain("✘ expected exit 1, got 0");
    expect(out.join("\n")).toContain("Demo FAILED: 1/2 steps");
  });
});
