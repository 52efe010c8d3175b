/**
 * Rotation and secret-hygiene policy: which apps are rotated (opt-in by app id, by Graph tag, or every
 * app that has a Key Vault mapping), where each app's secret lives in Key Vault, and the clocks of the
 * protocol (expiry window, maximum age, validity of a new secret, overlap before the old one goes).
 */
import { z } from "zod";
import { GUID } from "../config/schema.js";

export const keyVaultMappingSchema = z
  .object({
    /** The application (client) id whose secret is rotated. */
    appId: z.string().regex(GUID, "appId must be a GUID"),
    /** Vault name (the profile's Key Vault URL template) or its full https URL. */
    vault: z.string().trim().min(1),
    /** Secret name in the vault (Key Vault names: letters, digits and '-'). */
    secret: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, "Key Vault secret names are 1-127 letters, digits and '-'"),
  })
  .strict();

export const rotationPolicySchema = z
  .object({
    /** AG402: a secret that expires within this many days. */
    expiryWindowDays: z.number().positive().max(3650).default(30),
    /** AG403: a secret older than this many days (0 = no maximum age). */
    maxAgeDays: z.number().nonnegative().max(3650).default(180),
    /** endDateTime of a new secret, in days from its creation. */
    validityDays: z.number().positive().max(730).default(90),
    /** How long the old secret keeps working after the new one is verified (consumers cache for up to 24 h). */
    overlapHours: z
      .number()
      .nonnegative()
      .max(24 * 90)
      .default(24),
    /** Token attempts with the new secret before the verify step gives up for this run (Entra propagation). */
    verifyAttempts: z.number().int().positive().max(60).default(12),
    verifyDelaySeconds: z.number().nonnegative().max(300).default(10),
    /** Which apps are rotated. Nothing is rotated unless opted in. */
    optIn: z
      .object({
        appIds: z.array(z.string().regex(GUID, "appIds must be GUIDs")).default([]),
        /** Graph application tags (e.g. `rotate-secret`). */
        tags: z.array(z.string().min(1)).default([]),
        /** Every app that has an entry under `keyVault`. */
        allMapped: z.boolean().default(false),
      })
      .strict()
      .default({ appIds: [], tags: [], allMapped: false }),
    /** Where each app's secret is stored. */
    keyVault: z.array(keyVaultMappingSchema).default([]),
  })
  .strict();

export type RotationPolicy = z.output<typeof rotationPolicySchema>;
export type KeyVaultMapping = z.output<typeof keyVaultMappingSchema>;

export const DEFAULT_ROTATION_POLICY: RotationPolicy = rotationPolicySchema.parse({});

/** The app's Key Vault mapping, when the config has one. */
export function mappingFor(policy: RotationPolicy, appId: string): KeyVaultMapping | undefined {
  return policy.keyVault.find((m) => m.appId.toLowerCase() === appId.toLowerCase());
}

/** Whether the config opts this app in to rotation. */
export function isOptedIn(policy: RotationPolicy, app: { appId: string; tags?: readonly string[] }): boolean {
  const id = app.appId.toLowerCase();
  if (policy.optIn.appIds.some((a) => a.toLowerCase() === id)) return true;
  if (policy.optIn.tags.some((t) => (app.tags ?? []).includes(t))) return true;
  return policy.optIn.allMapped && mappingFor(policy, app.appId) !== undefined;
}

const DAY = 86_400_000;

export function daysToMs(days: number): number {
  return days * DAY;
}
