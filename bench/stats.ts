/** Small statistics and call-log helpers shared by the benchmark workloads. */
import os from "node:os";
import type { RequestLogEntry } from "../test/sandbox/log.js";

export interface Spread {
  median: number;
  min: number;
  max: number;
  all: number[];
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, all: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median: round(median), min: round(sorted[0]!), max: round(sorted.at(-1)!), all: values.map(round) };
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Calls to Azure services (ARM, Graph, Key Vault, Blob) in a slice of the sandbox log; Entra sign-ins counted apart. */
export function countCalls(entries: readonly RequestLogEntry[]): { azure: number; entra: number; byService: Record<string, number> } {
  const byService: Record<string, number> = {};
  let azure = 0;
  let entra = 0;
  for (const e of entries) {
    byService[e.service] = (byService[e.service] ?? 0) + 1;
    if (e.service === "entra") entra++;
    else if (e.service === "arm" || e.service === "graph" || e.service === "keyvault" || e.service === "blob") azure++;
  }
  return { azure, entra, byService };
}

/** Requests grouped by shape (ids and generated names folded), most frequent first: the call pattern. */
export function callPattern(entries: readonly RequestLogEntry[], top = 12): { call: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const e of entries) {
    if (e.service === "entra") continue;
    const shape = `${e.method} ${e.service} ${e.path
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, "{guid}")
      .replace(/\/(resourceGroups)\/[^/]+/gi, "/$1/{rg}")
      .replace(/\/(userAssignedIdentities|managedClusters|storageAccounts|vaults|containers)\/[^/]+/gi, "/$1/{name}")}`;
    counts.set(shape, (counts.get(shape) ?? 0) + 1);
  }
  return [...counts]
    .map(([call, count]) => ({ call, count }))
    .sort((a, b) => b.count - a.count)
    .slice(0, top);
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGB: number;
  os: string;
  node: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryGB: round(os.totalmem() / 1024 ** 3, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}
