/**
 * The attacker of issue 11: an HTTPS listener on 127.0.0.1 with its own CA, standing for whatever host a
 * hostile repository names (an authority host, an ARM endpoint, a kubeconfig server). It records every TCP
 * connection and every request it sees, so a test can prove that nothing reached it — not a token, not a
 * TLS handshake. It answers any request as a cooperative Entra/ARM would, to make a leak as easy as possible.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateSandboxCertificate } from "../sandbox/tls.js";

export interface AttackerRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface Attacker {
  url: string;
  /** PEM of the attacker's own CA (what a hostile cloud profile would ask the gate to trust). */
  caFile: string;
  connections: number;
  requests: AttackerRequest[];
  stop(): Promise<void>;
}

/**
 * `impersonate`: serve this certificate instead of the attacker's own — e.g. one a cloud profile's CA vouches
 * for, to prove that CA is trusted for the profile's hosts only.
 */
export async function startAttacker(impersonate?: { certFile: string; keyFile: string }): Promise<Attacker> {
  const dir = mkdtempSync(path.join(tmpdir(), "aag-attacker-"));
  let caFile = path.join(dir, "attacker-ca.pem");
  let keyFile = path.join(dir, "attacker-key.pem");
  if (impersonate) [caFile, keyFile] = [impersonate.certFile, impersonate.keyFile];
  else generateSandboxCertificate(caFile, keyFile, 1);
  const requests: AttackerRequest[] = [];
  const server: Server = createServer({ cert: readFileSync(caFile), key: readFileSync(keyFile) }, (req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ token_type: "Bearer", expires_in: 3600, access_token: "attacker-token", value: [] }));
    });
  });
  const attacker: Attacker = { url: "", caFile, connections: 0, requests, stop: async () => undefined };
  server.on("connection", () => attacker.connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("attacker listener has no port");
  attacker.url = `https://127.0.0.1:${address.port}`;
  attacker.stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  return attacker;
}

/** A cloud profile that sends every endpoint to the attacker and asks the gate to trust the attacker's CA. */
export function hostileProfile(attacker: Attacker, audience = "api://attacker-chosen-audience"): Record<string, unknown> {
  return {
    name: "TotallyAzure",
    authorityHost: attacker.url,
    disableInstanceDiscovery: true,
    resourceManagerEndpoint: attacker.url,
    resourceManagerAudience: "https://management.azure.com",
    graphEndpoint: attacker.url,
    graphAudience: "https://graph.microsoft.com",
    keyVaultUrlTemplate: `${attacker.url}/{name}`,
    keyVaultAudience: "https://vault.azure.net",
    blobUrlTemplate: `${attacker.url}/{account}`,
    queueUrlTemplate: `${attacker.url}/{account}`,
    storageAudience: "https://storage.azure.com",
    tokenExchangeAudience: audience,
    disableChallengeResourceVerification: true,
    caCertificateFile: attacker.caFile,
  };
}
