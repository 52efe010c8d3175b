/**
 * A cloud profile's own CA certificate, trusted for that profile's own hosts only. A process-wide trust
 * store change (NODE_EXTRA_CA_CERTS, `tls.setDefaultCACertificates`, a global agent) would let whoever
 * wrote the profile impersonate every other host the process talks to — GitHub's API with the job's token,
 * the runner's ID-token endpoint. Instead every Azure SDK client and credential built from the profile gets
 * an HttpClient that adds the CA to requests for the profile's endpoints and leaves every other request alone.
 */
import { readFileSync } from "node:fs";
import https from "node:https";
import tls from "node:tls";
import { createDefaultHttpClient, type HttpClient, type PipelineRequest, type TlsSettings } from "@azure/core-rest-pipeline";
import { InputError } from "../errors.js";
import type { CloudProfile } from "./profile.js";

/** Stands for a `{name}` / `{account}` placeholder while the template is parsed as a URL. */
const PLACEHOLDER = "aagplaceholder";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `host[:port]` of an endpoint or a URL template; a placeholder matches exactly one DNS label. */
function hostPattern(urlOrTemplate: string): RegExp {
  const host = new URL(urlOrTemplate.replace(/\{(name|account)\}/g, PLACEHOLDER)).host.toLowerCase();
  return new RegExp(`^${escapeRegExp(host).replace(new RegExp(PLACEHOLDER, "g"), "[a-z0-9-]+")}$`);
}

/** The hosts the profile names: Entra ID, ARM, Graph, and the Key Vault / Blob / Queue templates. */
export function profileHostPatterns(profile: CloudProfile): RegExp[] {
  return [
    profile.authorityHost,
    profile.resourceManagerEndpoint,
    profile.graphEndpoint,
    profile.keyVaultUrlTemplate,
    profile.blobUrlTemplate,
    profile.queueUrlTemplate,
  ].map(hostPattern);
}

export function isProfileHost(profile: CloudProfile, url: string): boolean {
  let host: string;
  try {
    host = new URL(url).host.toLowerCase();
  } catch {
    return false;
  }
  return profileHostPatterns(profile).some((p) => p.test(host));
}

function readCa(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(`cannot read the cloud profile's CA certificate: ${(err as Error).message}`, { field: "caCertificateFile" });
  }
}

const clients = new WeakMap<CloudProfile, HttpClient>();

/**
 * The HttpClient for a profile with a CA certificate (undefined without one: the default trust applies).
 * One TlsSettings object per profile, because core-rest-pipeline caches its https agents by that object.
 */
export function profileHttpClient(profile: CloudProfile): HttpClient | undefined {
  const file = profile.caCertificateFile;
  if (!file) return undefined;
  const cached = clients.get(profile);
  if (cached) return cached;
  const ca = [...tls.getCACertificates("default"), readCa(file)];
  const tlsSettings: TlsSettings = { ca };
  // One TLS context for the profile's hosts, built once: an agent given only `ca` builds a new context for
  // every connection (parsing all the root certificates again) and keys its pool by the whole CA text on
  // every request — most of the CPU a gate run spent on TLS.
  const agent = new https.Agent({ keepAlive: true, secureContext: tls.createSecureContext({ ca }) });
  const patterns = profileHostPatterns(profile);
  const inner = createDefaultHttpClient();
  const client: HttpClient = {
    sendRequest(request: PipelineRequest) {
      const host = new URL(request.url).host.toLowerCase();
      if (patterns.some((p) => p.test(host))) {
        request.tlsSettings = tlsSettings;
        // An agent the pipeline chose (a proxy's) or a request that must not keep its socket stays as it is.
        if (request.agent === undefined && request.disableKeepAlive !== true) request.agent = agent;
      }
      return inner.sendRequest(request);
    },
  };
  clients.set(profile, client);
  return client;
}

/** `{ httpClient }` for an SDK client's or credential's options, or nothing when the profile has no CA. */
export function profileClientOptions(profile: CloudProfile): { httpClient?: HttpClient } {
  const httpClient = profileHttpClient(profile);
  return httpClient ? { httpClient } : {};
}
