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
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** A free slot is taken at once (synchronously), so two callers can't both see it free. */
  private acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /**
   * The slot passes straight to the next waiter and `active` never drops: a waiter resumes a microtask
   * after it is woken, and a caller arriving in that gap would otherwise find a free slot too.
   */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
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

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
