/**
 * The Function's sweep configuration (`AAG_SWEEP_CONFIG`: a YAML or JSON file deployed with the app).
 * Strict like azure-auth-gate.yml: an unknown key is an error naming its path. Scopes name what one
 * audit report (and one GitHub issue) covers; rotation is opt-in per app.
 *
 * ```yaml
 * tenantId: 00000000-0000-0000-0000-000000000000
 * scopes:
 *   - name: production
 *     subscriptions: [11111111-1111-1111-1111-111111111111]
 *     targets:                                    # explicit targets (besides every discovered binding)
 *       - cluster: { subscription: 1111…, resourceGroup: rg-aks, name: aks-prod }
 *         workload: production/Deployment/backend
 *         serviceAccount: backend
 *         clientId: 22222222-2222-2222-2222-222222222222
 *         blob: [{ account: stmedia, container: media, access: write }]
 *     applications: { appIds: [], tags: [] }    # apps whose secrets are scanned (default: all)
 * rotation:
 *   optIn: { appIds: [33333333-…] }
 *   keyVault: [{ appId: 33333333-…, vault: kv-platform, secret: payments-client-secret }]
 * github: { repository: contoso/platform, token: { vault: kv-platform, secret: github-token } }
 * webhook: { url: { vault: kv-platform, secret: teams-webhook-url } }
 * ```
 */
import { readFileSync } from "node:fs";
import { documentToJs, parseConfigDocument } from "../config/yaml.js";
import { z } from "zod";
import { clusterByNameSchema, GUID, runPolicyFields, targetSchema } from "../config/schema.js";
import { describeConfigIssue } from "../config/issues.js";
import { fieldPath } from "../config/load.js";
import { InputError } from "../errors.js";
import { DEFAULT_ROTATION_POLICY, rotationPolicySchema } from "../rotation/rotation-policy.js";

const guid = (what: string) => z.string().regex(GUID, `${what} must be a GUID`);

/** A secret the Function reads from Key Vault (tokens and webhook URLs never sit in app settings). */
export const vaultSecretRefSchema = z
  .object({
    vault: z.string().trim().min(1),
    secret: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, "Key Vault secret names are letters, digits and '-'"),
  })
  .strict();

/**
 * How discovery reads federated credentials: Resource Graph first (a few pages for the whole scope),
 * cross-checked against per-identity ARM listings for a sample; on any disagreement, per-identity ARM
 * listings for the whole subscription.
 */
export const discoverySchema = z
  .object({
    /** false: skip Resource Graph and list every identity's credentials through ARM. */
    resourceGraph: z.boolean().default(true),
    /** Identities cross-checked against ARM every run (picked by the run id, so the sample moves between runs). */
    verifySample: z.number().int().min(1).max(1000).default(16),
    /** Identities with no credential in Resource Graph that are also cross-checked (up to this many). */
    verifyEmptyCap: z.number().int().min(0).max(5000).default(64),
    /** Per-identity ARM listings in flight at once (cross-check and fallback). */
    concurrency: z.number().int().min(1).max(64).default(16),
  })
  .strict();

export const sweepTargetSchema = targetSchema.extend({ cluster: clusterByNameSchema }).strict();

export const scopeSchema = z
  .object({
    /** Names the report, its Blob paths and the GitHub issue ("Azure auth compliance: <name>"). */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "scope names are letters, digits, '.', '_' and '-'"),
    /** Subscriptions searched for clusters and user-assigned identities with federated credentials. */
    subscriptions: z.array(guid("subscription id")).min(1, "list at least one subscription"),
    targets: z.array(sweepTargetSchema).default([]),
    applications: z
      .object({ appIds: z.array(guid("appIds")).default([]), tags: z.array(z.string().min(1)).default([]) })
      .strict()
      .default({ appIds: [], tags: [] }),
  })
  .strict();

export const sweepConfigSchema = z
  .object({
    cloud: z.string().trim().min(1).default("AzureCloud"),
    tenantId: guid("tenantId"),
    scopes: z.array(scopeSchema).min(1, "list at least one scope"),
    /** Bindings per queue message (one checkBindings invocation each). */
    batchSize: z.number().int().min(1).max(50).default(10),
    discovery: discoverySchema.default(discoverySchema.parse({})),
    rotation: rotationPolicySchema.default(DEFAULT_ROTATION_POLICY),
    github: z
      .object({
        repository: z.string().regex(/^[^/\s]+\/[^/\s]+$/, "must be owner/repo"),
        /** GitHub REST API base (GitHub Enterprise Server: https://HOST/api/v3). */
        apiUrl: z
          .string()
          .url()
          .refine((u) => u.startsWith("https://"), "must be an https:// URL")
          .default("https://api.github.com"),
        token: vaultSecretRefSchema,
        labels: z.array(z.string().min(1)).default(["azure-auth-gate"]),
      })
      .strict()
      .optional(),
    /** Teams / Slack incoming webhook; the URL carries a token, so it is read from Key Vault. */
    webhook: z.object({ url: vaultSecretRefSchema }).strict().optional(),
    ...runPolicyFields,
  })
  .strict();

export type SweepConfig = z.output<typeof sweepConfigSchema>;
export type SweepConfigInput = z.input<typeof sweepConfigSchema>;
export type ScopeConfig = z.output<typeof scopeSchema>;
export type DiscoveryConfig = z.output<typeof discoverySchema>;
export type VaultSecretRef = z.output<typeof vaultSecretRefSchema>;

/** Validates a parsed config object; `file` names it in the one-line error. */
export function parseSweepConfig(raw: unknown, file = "<sweep config>"): SweepConfig {
  const parsed = sweepConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problem = describeConfigIssue(parsed.error.issues, raw) ?? { path: [], message: "invalid sweep config" };
  throw new InputError(problem.message, { file, field: fieldPath(problem.path) || "(top level)" });
}

/** Reads the sweep config file (YAML or JSON). */
export function loadSweepConfig(file: string): SweepConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(
      (err as NodeJS.ErrnoException).code === "ENOENT"
        ? "sweep config file not found"
        : `cannot read sweep config: ${(err as Error).message}`,
      { file },
    );
  }
  return parseSweepConfig(documentToJs(parseConfigDocument(text, file).doc, file) ?? {}, file);
}

export function scopeByName(config: SweepConfig, name: string): ScopeConfig {
  const scope = config.scopes.find((s) => s.name === name);
  if (!scope)
    throw new InputError(`unknown scope '${name}' (configured: ${config.scopes.map((s) => s.name).join(", ")})`, { field: "scope" });
  return scope;
}
