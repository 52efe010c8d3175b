/**
 * Compares the identity's federated credentials with what the pod will present, exactly as Entra
 * does (case-sensitive string equality of issuer, subject and audience), and picks the single most
 * useful diagnosis with the nearest near-miss, so AG203–AG206 never fire twice for one pod.
 *
 * Precedence (most specific first): AG206 (issuer and subject right, audience wrong) → AG205
 * (subject right, issuer differs) → AG204 (issuer right, subject differs) → AG203 (nothing close).
 */
import type { FederatedCredentialFact } from "../facts/types.js";
import { editDistance } from "./common.js";

export type FederationVerdict =
  | { kind: "ok"; match: FederatedCredentialFact }
  | { kind: "AG206"; nearest: FederatedCredentialFact }
  | { kind: "AG205"; nearest: FederatedCredentialFact; difference: string }
  | { kind: "AG204"; nearest: FederatedCredentialFact; difference: string }
  | { kind: "AG203"; nearest?: FederatedCredentialFact };

export interface Presented {
  issuer: string;
  subject: string;
  audience: string;
}

function hasAudience(f: FederatedCredentialFact, audience: string): boolean {
  return f.audiences.includes(audience);
}

/** Why two issuers differ, in the words a user recognises. */
export function issuerDifference(fic: string, cluster: string): string {
  const trim = (s: string) => s.replace(/\/+$/, "");
  if (trim(fic) === trim(cluster)) {
    return fic.endsWith("/")
      ? "differs only by a trailing '/' the cluster's issuer does not have"
      : "differs only by the trailing '/' the cluster's issuer has";
  }
  if (fic.toLowerCase() === cluster.toLowerCase()) return "matches only case-insensitively (Entra compares case-sensitively)";
  if (trim(fic).toLowerCase() === trim(cluster).toLowerCase()) return "differs in case and by a trailing '/'";
  return "is another issuer (another cluster, or a re-created OIDC issuer)";
}

/** Why two subjects differ: which part (namespace / ServiceAccount) and whether only by case. */
export function subjectDifference(fic: string, pod: string): string {
  if (fic.toLowerCase() === pod.toLowerCase()) return "matches only case-insensitively (Entra compares case-sensitively, AADSTS7002138)";
  const a = /^system:serviceaccount:([^:]*):(.*)$/.exec(fic);
  const b = /^system:serviceaccount:([^:]*):(.*)$/.exec(pod);
  if (!a || !b) return "is not a Kubernetes ServiceAccount subject of this pod";
  const parts: string[] = [];
  if (a[1] !== b[1]) parts.push(`namespace '${a[1] ?? ""}' ≠ '${b[1] ?? ""}'`);
  if (a[2] !== b[2]) parts.push(`ServiceAccount '${a[2] ?? ""}' ≠ '${b[2] ?? ""}'`);
  return parts.join(", ");
}

function nearestBy(fics: FederatedCredentialFact[], score: (f: FederatedCredentialFact) => number): FederatedCredentialFact | undefined {
  return [...fics].sort((x, y) => score(x) - score(y) || x.name.localeCompare(y.name))[0];
}

export function classifyFederation(fics: readonly FederatedCredentialFact[], presented: Presented): FederationVerdict {
  const { issuer, subject, audience } = presented;
  const exact = fics.find((f) => f.issuer === issuer && f.subject === subject && hasAudience(f, audience));
  if (exact) return { kind: "ok", match: exact };

  const wrongAudience = fics.find((f) => f.issuer === issuer && f.subject === subject);
  if (wrongAudience) return { kind: "AG206", nearest: wrongAudience };

  const subjectRight = fics.filter((f) => f.subject === subject);
  const nearIssuer = nearestBy(subjectRight, (f) => editDistance(f.issuer, issuer));
  if (nearIssuer) return { kind: "AG205", nearest: nearIssuer, difference: issuerDifference(nearIssuer.issuer, issuer) };

  const issuerRight = fics.filter((f) => f.issuer === issuer);
  const nearSubject = nearestBy(issuerRight, (f) =>
    f.subject.toLowerCase() === subject.toLowerCase() ? -1 : editDistance(f.subject, subject),
  );
  if (nearSubject) return { kind: "AG204", nearest: nearSubject, difference: subjectDifference(nearSubject.subject, subject) };

  const nearest = nearestBy([...fics], (f) => editDistance(f.subject, subject) + editDistance(f.issuer, issuer));
  return nearest ? { kind: "AG203", nearest } : { kind: "AG203" };
}
