// The Limiter's cap holds when a newcomer arrives while a slot is being handed to a waiter. The old
// Limiter decremented `active` and woke the waiter, which took the slot a microtask later: a caller
// arriving in between got in too (peak 2 with max 1). Deterministic: no timers, only microtask hops.
import { describe, expect, it } from "vitest";
import { Limiter } from "../../shared/azure/concurrency.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function hops(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

/** max tasks seen running at once when C arrives `delay` microtasks after A (holding the only slot) finishes, with B waiting. */
async function peakWhenArrivingAfter(delay: number, max: number): Promise<number> {
  const limiter = new Limiter(max);
  let running = 0;
  let peak = 0;
  const task = (gate: Promise<void>) => async () => {
    running++;
    peak = Math.max(peak, running);
    await gate;
    running--;
  };
  const holders = Array.from({ length: max }, () => deferred());
  const waiter = deferred();
  const newcomer = deferred();
  const held = holders.map((h) => limiter.run(task(h.promise)));
  const waiting = limiter.run(task(waiter.promise));
  await hops(3);
  holders[0]!.resolve();
  await hops(delay);
  const late = limiter.run(task(newcomer.promise));
  await hops(10);
  for (const d of [...holders, waiter, newcomer]) d.resolve();
  await Promise.all([...held, waiting, late]);
  return peak;
}

describe("Limiter", () => {
  it.each([1, 2, 3])("never runs more than %i at once, whenever a newcomer arrives during a hand-over", async (max) => {
    const peaks: number[] = [];
    for (let delay = 0; delay <= 8; delay++) peaks.push(await peakWhenArrivingAfter(delay, max));
    expect(Math.max(...peaks)).toBe(max);
  });

  it("runs waiters in FIFO order and frees every slot after failures", async () => {
    const limiter = new Limiter(1);
    const order: number[] = [];
    const gate = deferred();
    const first = limiter.run(async () => {
      await gate.promise;
      throw new Error("boom");
    });
    const rest = [1, 2, 3].map((n) => limiter.run(async () => void order.push(n)));
    gate.resolve();
    await expect(first).rejects.toThrow("boom");
    await Promise.all(rest);
    expect(order).toEqual([1, 2, 3]);
    // After everything settled, `max` new tasks start at once (no slot leaked).
    let running = 0;
    let peak = 0;
    const hold = deferred();
    const again = [0, 1].map(() =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await hold.promise;
        running--;
      }),
    );
    await hops(3);
    expect(peak).toBe(1);
    hold.resolve();
    await Promise.all(again);
  });
});
