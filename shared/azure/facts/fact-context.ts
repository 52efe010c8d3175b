/**
 * The per-run fact cache: every fact is fetched once (memoised by key, shared by all targets) and
 * every fetch runs under the run's concurrency cap. Fetches settle into `Fetched<T>`: a failure is
 * a fact too ("could not verify"), never an exception — except the gate's own login failing.
 */
import type { AzureClients } from "../clients.js";
import { Limiter, Memo } from "../concurrency.js";
import { settle } from "../fetch-failure.js";
import type { Fetched } from "./types.js";

export class FactContext {
  private readonly memo = new Memo();
  private readonly limiter: Limiter;

  constructor(
    readonly clients: AzureClients,
    concurrency: number,
  ) {
    this.limiter = new Limiter(concurrency);
  }

  /** One Azure read (including its paging), memoised by `key`, under the concurrency cap. */
  fetch<T>(key: string, work: () => Promise<T>): Promise<Fetched<T>> {
    return this.memo.get(key.toLowerCase(), () => settle(() => this.limiter.run(work)));
  }

  /** Whether a fact under `key` was fetched, is being fetched, or was seeded in this run. */
  has(key: string): boolean {
    return this.memo.has(key.toLowerCase());
  }

  /** Memoises a composite fact (built from other fetches) without holding a concurrency slot. */
  derive<T>(key: string, build: () => Promise<T>): Promise<T> {
    return this.memo.get(`derived:${key.toLowerCase()}`, build);
  }

  /**
   * Pre-fills a fact another step of the same run already read (the sweep's discovery), so `fetch`
   * returns it without calling Azure. Only successful reads are seeded: a failure is re-fetched.
   * A key already fetched or seeded keeps its first value.
   */
  seed<T>(key: string, value: T): void {
    const fetched: Fetched<T> = { ok: true, value };
    void this.memo.get(key.toLowerCase(), () => Promise.resolve(fetched));
  }

  /** Pre-fills a composite fact (see `derive`). */
  seedDerived<T>(key: string, value: T): void {
    void this.memo.get(`derived:${key.toLowerCase()}`, () => Promise.resolve(value));
  }
}

export async function collectAll<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of pages) out.push(item);
  return out;
}
