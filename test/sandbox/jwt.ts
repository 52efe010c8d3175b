/**
 * The sandbox's JSON Web Tokens: RS256 signing (Entra access tokens, service-account tokens, GitHub
 * ID tokens), decoding, signature checks and the public JWK an issuer publishes.
 */
import { createHash, createSign, createVerify, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { SigningKey } from "./state.js";

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

export function signJwt(key: SigningKey, payload: object): string {
  const head = `${b64({ typ: "JWT", alg: "RS256", kid: key.kid })}.${b64(payload)}`;
  return `${head}.${createSign("RSA-SHA256").update(head).sign(key.privateKey).toString("base64url")}`;
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, "base64url").toString("utf8")) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown;
    if (!header || typeof header !== "object" || !payload || typeof payload !== "object" || Array.isArray(payload)) return undefined;
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, "base64url"),
    };
  } catch {
    return undefined;
  }
}

export function verifySignature(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  if (jwt.header.alg !== "RS256") return false;
  return createVerify("RSA-SHA256").update(jwt.signingInput).verify(publicKey, jwt.signature);
}

/** The key as an issuer's JWKS lists it. */
export function publicJwk(key: SigningKey): Record<string, unknown> {
  const jwk = key.publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const x5t = createHash("sha1").update(key.kid).digest("base64url");
  return { kty: "RSA", use: "sig", alg: "RS256", kid: key.kid, x5t, n: jwk.n, e: jwk.e };
}

// RSA generation costs tens of milliseconds per key: one process reuses its keys across sandboxes
// (each sandbox still has distinct kids per issuer, and tests that need a foreign key make their own).
const cache = new Map<string, SigningKey>();

export function cachedSigningKey(kid: string): SigningKey {
  let key = cache.get(kid);
  if (!key) {
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    cache.set(kid, (key = { kid, privateKey, publicKey }));
  }
  return key;
}

export function freshSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}
