/**
 * The sandbox certificate: its own CA (CA:TRUE), valid for 127.0.0.1, localhost and
 * login.microsoftonline.com (Python MSAL's hard-coded instance discovery is tunnelled to the sandbox's
 * Entra ID by the egress proxy). The vitest globalSetup creates one for the whole run and sets
 * AAG_SANDBOX_CERT / AAG_SANDBOX_KEY (and NODE_EXTRA_CA_CERTS, read by Node only at start-up);
 * otherwise — the CLI, a script — one is generated with openssl into the sandbox's workDir.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";
import type { SandboxTls } from "./contract.js";

/** A self-signed CA certificate for the sandbox's hosts (openssl; no Node API creates X.509 certificates). */
export function generateSandboxCertificate(certFile: string, keyFile: string, days = 7): void {
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      String(days),
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-subj",
      "/CN=azure-auth-gate sandbox",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:login.microsoftonline.com",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
    ],
    { stdio: "ignore" },
  );
}

export function sandboxTls(workDir: string): SandboxTls {
  const envCert = process.env.AAG_SANDBOX_CERT;
  const envKey = process.env.AAG_SANDBOX_KEY;
  let certFile: string;
  let keyFile: string;
  if (envCert && envKey && existsSync(envCert) && existsSync(envKey)) {
    [certFile, keyFile] = [envCert, envKey];
  } else {
    certFile = path.join(workDir, "sandbox-cert.pem");
    keyFile = path.join(workDir, "sandbox-key.pem");
    generateSandboxCertificate(certFile, keyFile);
  }
  return { certFile, keyFile, certPem: readFileSync(certFile, "utf8"), keyPem: readFileSync(keyFile, "utf8") };
}

const trusted = new Set<string>();

/**
 * Trusts the certificate in THIS process (NODE_EXTRA_CA_CERTS only works for processes started
 * after it is set; child processes get it through `sandbox.env`).
 */
export function trustInProcess(material: SandboxTls): void {
  if (trusted.has(material.certPem)) return;
  trusted.add(material.certPem);
  const current = tls.getCACertificates("default");
  if (!current.includes(material.certPem)) tls.setDefaultCACertificates([...current, material.certPem]);
}
