/**
 * Watches the process's real timers without faking or advancing any of them: every `setTimeout` of at
 * least `minDelayMs` is recorded with its delay, the stack that scheduled it and a caller's mark (e.g. the
 * sandbox log's `arrivals`) taken when it was scheduled and again when it fired. A test then proves a wait
 * by order, never by a clock: "the SDK's 1000 ms retry timer was set after the 429 arrived and fired before
 * the retry arrived" holds on an idle laptop and at load 20 alike (a Node timer never fires early).
 * A fake clock would also move timers other work left pending; this one moves nothing.
 */

export interface WatchedTimer<M> {
  delayMs: number;
  /** Where it was scheduled (tells the SDK's retry wait from the sandbox's latency sleep). */
  stack: string;
  scheduled: M;
  /** Unset while it has not fired (or was cleared). */
  fired?: M;
}

export interface TimerWatch<M> {
  readonly timers: WatchedTimer<M>[];
  /** Puts the real `setTimeout` back; idempotent. */
  stop(): void;
}

export function watchTimers<M>(mark: () => M, minDelayMs = 1): TimerWatch<M> {
  const real = globalThis.setTimeout;
  const timers: WatchedTimer<M>[] = [];
  const watching = function (this: unknown, handler: unknown, delay?: number, ...args: unknown[]) {
    if (typeof handler !== "function" || !(Number(delay) >= minDelayMs)) return Reflect.apply(real, this, [handler, delay, ...args]);
    const timer: WatchedTimer<M> = { delayMs: Number(delay), stack: new Error().stack ?? "", scheduled: mark() };
    timers.push(timer);
    const fire = (...fired: unknown[]) => {
      timer.fired = mark();
      Reflect.apply(handler, undefined, fired);
    };
    return Reflect.apply(real, this, [fire, delay, ...args]);
  };
  // util.promisify(setTimeout) and friends read the real one's own properties.
  Object.defineProperties(watching, Object.getOwnPropertyDescriptors(real));
  globalThis.setTimeout = watching as typeof setTimeout;
  return {
    timers,
    stop: () => {
      if (globalThis.setTimeout === watching) globalThis.setTimeout = real;
    },
  };
}
