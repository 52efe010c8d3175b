/**
 * vitest globalSetup: one self-signed certificate for the whole run, created before any worker starts so
 * NODE_EXTRA_CA_CERTS (read by Node only at process start) is inherited by every forked test worker.
 * The sandbox serves this certificate when AAG_SANDBOX_CERT / AAG_SANDBOX_KEY are set.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pythonSdkMissing } from "./sandbox/python-sdk.js";
import { generateSandboxCertificate } from "./sandbox/tls.js";

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), "aag-test-tls-"));
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  generateSandboxCertificate(certFile, keyFile, 2);
  process.env.AAG_SANDBOX_CERT = certFile;
  process.env.AAG_SANDBOX_KEY = keyFile;
  process.env.NODE_EXTRA_CA_CERTS = certFile;
  // Never let a test's credential chain reach the real IMDS; the sandbox overrides this with its emulator.
  process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST ??= "http://127.0.0.1:9";
  // Said once here rather than per file: the tests that run the sandbox's Python images are skipped.
  const python = pythonSdkMissing();
  if (python) console.warn(`${python}: the tests that run the sandbox's Python images are skipped (.ci/run installs it)`);
  return () => rmSync(dir, { recursive: true, force: true });
}
