/**
 * Fault injection: from the scenario's `faults` and at runtime (`sandbox.faults.add(...)`). A fault
 * matches a service, optionally a method and a path regex, and then delays the request, answers it
 * with a status (429 with Retry-After, 5xx with the service's own error body) or drops the connection.
 * `nth`/`times` pick which of the matching calls it hits: only the Nth; N..N+times-1; or the first
 * `times` calls when only `times` is given; every call when neither is.
 */
import { faultSchema, type FaultSpec } from "./scenario/schema.js";
import type { z } from "zod";

export type FaultInput = z.input<typeof faultSchema>;

interface ActiveFault {
  id: string;
  spec: FaultSpec;
  pattern: RegExp | undefined;
  seen: number;
}

export interface FaultHit {
  id: string;
  spec: FaultSpec;
}

export class Faults {
  private active: ActiveFault[] = [];
  private next = 1;

  constructor(initial: FaultSpec[] = []) {
    for (const f of initial) this.add(f);
  }

  /** Adds a fault; returns its id (for `clear(id)`). Invalid specs throw with the field named. */
  add(input: FaultInput): string {
    const parsed = faultSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`invalid fault: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
    }
    let pattern: RegExp | undefined;
    if (parsed.data.path !== undefined) {
      try {
        pattern = new RegExp(parsed.data.path, "i");
      } catch (err) {
        throw new Error(`invalid fault: path: ${(err as Error).message}`, { cause: err });
      }
    }
    const id = `fault-${this.next++}`;
    this.active.push({ id, spec: parsed.data, pattern, seen: 0 });
    return id;
  }

  /** Removes one fault, or all of them. */
  clear(id?: string): void {
    this.active = id === undefined ? [] : this.active.filter((f) => f.id !== id);
  }

  list(): FaultHit[] {
    return this.active.map((f) => ({ id: f.id, spec: f.spec }));
  }

  /** Counts this request against every matching fault and returns the first one that applies to it. */
  match(service: string, method: string, path: string): FaultHit | undefined {
    let hit: FaultHit | undefined;
    for (const f of this.active) {
      if (f.spec.service !== service) continue;
      if (f.spec.method !== undefined && f.spec.method.toUpperCase() !== method.toUpperCase()) continue;
      if (f.pattern && !f.pattern.test(path)) continue;
      f.seen += 1;
      const first = f.spec.nth ?? 1;
      const last = f.spec.times !== undefined ? first + f.spec.times - 1 : f.spec.nth !== undefined ? first : Infinity;
      if (!hit && f.seen >= first && f.seen <= last) hit = { id: f.id, spec: f.spec };
    }
    return hit;
  }
}
