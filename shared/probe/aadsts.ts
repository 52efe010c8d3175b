/**
 * Entra ID (AADSTS) error codes the pod's token exchange can end in, with their documented meaning
 * and the cause to check (reference.md §3a). AG301's evidence names the code and its meaning.
 */
export interface AadstsMeaning {
  code: string;
  meaning: string;
  /** What to check or change, in the words of the troubleshooting guides. */
  check: string;
  /** True when the federated identity credential (issuer/subject/audience) is what to fix. */
  federation: boolean;
}

const TABLE: Record<string, Omit<AadstsMeaning, "code">> = {
  "70021": {
    meaning: "no matching federated identity record found for the presented assertion",
    check: "the federated credential's issuer, subject or audience differs from the pod's token",
    federation: true,
  },
  "700211": {
    meaning: "no matching federated identity record found for the presented assertion issuer",
    check: "the federated credential's issuer differs from the cluster's OIDC issuer (AKS issuers end with '/')",
    federation: true,
  },
  "700213": {
    meaning: "no matching federated identity record found for the presented assertion subject",
    check: "the federated credential's subject differs from system:serviceaccount:<namespace>:<serviceaccount>",
    federation: true,
  },
  "7002138": {
    meaning: "the federated identity record matches only with a case-insensitive comparison",
    check: "Entra compares issuer and subject case-sensitively: fix the case",
    federation: true,
  },
  "7002131": {
    meaning: "the flexible federated credential's claimsMatchingExpression does not match",
    check: "fix the matching expression",
    federation: true,
  },
  "700016": {
    meaning: "application not found in the directory",
    check: "the ServiceAccount's azure.workload.identity/client-id must be the identity's client id, in this tenant",
    federation: false,
  },
  "7000215": {
    meaning: "invalid client secret provided",
    check: "use the secret's value, not its id, or create a new secret",
    federation: false,
  },
  "7000222": { meaning: "the client secret has expired", check: "rotate the secret", federation: false },
  "700024": {
    meaning: "client assertion is not within its valid time range",
    check: "the projected service-account token expired or the clocks differ; the SDK re-reads the token file",
    federation: false,
  },
  "700027": {
    meaning: "client assertion contains an invalid signature",
    check: "Entra could not verify the pod's token with the issuer's keys: the issuer's JWKS does not match the cluster's signing key",
    federation: true,
  },
  "50027": {
    meaning: "the client assertion JWT is invalid or malformed",
    check: "the token file is not a valid service-account token",
    federation: false,
  },
  "90061": {
    meaning: "request to the external OIDC endpoint failed",
    check: "Entra cannot reach the cluster's OIDC discovery or JWKS document; run `az aks update` to reconcile the issuer",
    federation: false,
  },
  "501661": {
    meaning: "request to the external OIDC endpoint failed",
    check: "Entra cannot reach the cluster's OIDC discovery or JWKS document",
    federation: false,
  },
  "90002": { meaning: "tenant not found", check: "AZURE_TENANT_ID or the authority host (cloud) is wrong", federation: false },
  "900023": {
    meaning: "the tenant identifier is neither a valid DNS name nor a valid external domain",
    check: "AZURE_TENANT_ID is malformed",
    federation: false,
  },
  "50020": {
    meaning: "the tenant of the token request is not the identity's home tenant",
    check: "fix the azure.workload.identity/tenant-id annotation or AZURE_TENANT_ID",
    federation: false,
  },
  "70011": { meaning: "the requested scope is invalid", check: "scopes must end in /.default", federation: false },
};

/** The first AADSTS code in an error message, with its meaning when the table knows it. */
export function explainAadsts(message: string): AadstsMeaning | undefined {
  const match = /AADSTS(\d{4,8})/.exec(message);
  if (!match) return undefined;
  const code = match[1]!;
  const known = TABLE[code];
  return known
    ? { code: `AADSTS${code}`, ...known }
    : {
        code: `AADSTS${code}`,
        meaning: "an Entra ID error this gate has no description for",
        check: "look the code up at https://login.microsoftonline.com/error",
        federation: false,
      };
}
