/**
 * Run-scoped helpers for fact collection: a concurrency cap for Azure calls and a memo so every fact
 * is fetched at most once per run, however many targets ask for it.
 */

/** At most `max` tasks run at once; the rest wait in FIFO order. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`concurrency must be a positive integer, got ${max}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Memoises promises by key: concurrent and later callers share the first call's promise (also its
 * failure — a fact that could not be read is not re-fetched within the same run).
 */
export class Memo {
  private readonly entries = new Map<string, Promise<unknown>>();

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.entries.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.entries.set(key, p);
    }
    return p;
  }

  get size(): number {
    return this.entries.size;
  }
}
