/**
 * The sandbox's request log: one entry per request any service answered (and one per connection the
 * egress proxy refused), so tests can assert what a client really sent — how many ARM calls a
 * command costs, that a retry happened, that nothing tried to leave the machine.
 */
import type { ServiceName } from "./contract.js";

export interface RequestLogEntry {
  service: ServiceName;
  method: string;
  /** Path with `//` collapsed, no query. */
  path: string;
  /** Query string (no leading `?`), with credential-like parameters redacted. */
  query: string;
  status: number;
  ms: number;
  /** Epoch ms (real clock) when the request arrived. */
  at: number;
  /** Arrival order across every service of this sandbox, from 1: orders requests without reading a clock. */
  seq: number;
  /**
   * `seq` of each request the sandbox had received but not yet answered when this one arrived: concurrency
   * as the server saw it (filter them to count one kind of call in flight), not computed from timestamps.
   */
  openOnArrival: number[];
  /** Delay the sandbox added before answering (a fault's latencyMs plus the ARM/Graph latency), 0 when none. */
  delayedMs: number;
  /** Set when an injected fault answered (or delayed) the request. */
  fault?: string;
}

export interface RefusedEgress {
  host: string;
  port: number;
  /** CONNECT, or the method of a plain-http proxy request. */
  method: string;
  at: number;
}

export interface LogFilter {
  service?: ServiceName;
  method?: string;
  /** Exact path, or a regex tested against it. */
  path?: string | RegExp;
  status?: number;
}

// A SAS signature or a client secret must never land in a log.
const SENSITIVE = new Set(["sig", "client_secret", "code", "client_assertion", "access_token"]);

export function redactQuery(query: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const [k, v] of query) out.append(k, SENSITIVE.has(k.toLowerCase()) ? "REDACTED" : v);
  return out.toString();
}

/** One request from its arrival until the sandbox answers (or drops) it. */
export interface Arrival {
  seq: number;
  openOnArrival: number[];
  /** The request is answered, dropped or gone; idempotent. */
  leave(): void;
}

export class RequestLog {
  readonly entries: RequestLogEntry[] = [];
  readonly refusedEgress: RefusedEgress[] = [];
  private arrived = 0;
  private readonly open = new Set<number>();

  /** Requests that have arrived so far (every service; `clear()` does not reset it): the next one gets `arrivals + 1`. */
  get arrivals(): number {
    return this.arrived;
  }

  /** Counts a request in as it arrives; its entry carries `seq` and `openOnArrival`. */
  arrive(): Arrival {
    const seq = ++this.arrived;
    const openOnArrival = [...this.open];
    this.open.add(seq);
    return { seq, openOnArrival, leave: () => this.open.delete(seq) };
  }

  record(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  refuse(entry: RefusedEgress): void {
    this.refusedEgress.push(entry);
  }

  filter(f: LogFilter = {}): RequestLogEntry[] {
    return this.entries.filter(
      (e) =>
        (f.service === undefined || e.service === f.service) &&
        (f.method === undefined || e.method === f.method.toUpperCase()) &&
        (f.status === undefined || e.status === f.status) &&
        (f.path === undefined || (typeof f.path === "string" ? e.path === f.path : f.path.test(e.path))),
    );
  }

  count(f: LogFilter = {}): number {
    return this.filter(f).length;
  }

  /** Requests per service, e.g. `{ arm: 12, entra: 2 }`. */
  countByService(): Partial<Record<ServiceName, number>> {
    const out: Partial<Record<ServiceName, number>> = {};
    for (const e of this.entries) out[e.service] = (out[e.service] ?? 0) + 1;
    return out;
  }

  clear(): void {
    this.entries.length = 0;
    this.refusedEgress.length = 0;
  }
}
