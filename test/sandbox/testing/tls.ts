/**
 * The certificate for tests that serve single sandbox services without starting a whole sandbox: the
 * sandbox's own (tls.ts) — under vitest the one the globalSetup created for the run (AAG_SANDBOX_CERT,
 * already in every worker's NODE_EXTRA_CA_CERTS, so child processes such as Azurite and probe pods
 * trust it too), otherwise a fresh one in a temporary directory — and trusted in this process.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { SandboxTls } from "../contract.js";
import { sandboxTls, trustInProcess } from "../tls.js";

let material: SandboxTls | undefined;

export function testTls(): SandboxTls {
  if (material) return material;
  const dir = mkdtempSync(path.join(tmpdir(), "aag-testing-tls-"));
  const tls = sandboxTls(dir);
  // The run's certificate was used: nothing was written here.
  if (path.dirname(tls.certFile) !== dir) rmSync(dir, { recursive: true, force: true });
  trustInProcess(tls);
  return (material = tls);
}
