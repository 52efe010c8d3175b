/**
 * The Function app's settings (App Settings in Azure, `local.settings.json` locally). Everything else
 * lives in the sweep config file the settings point at. A missing or bad setting is one InputError
 * naming it.
 */
import { InputError } from "../shared/errors.js";

export interface FunctionSettings {
  /** Sweep config file (YAML/JSON), relative to the app root or absolute. */
  sweepConfigFile: string;
  /** The Function's own storage: an account name (identity-based) or a connection string (Azurite locally). */
  storage: { account: string } | { connectionString: string };
  /** Blob container for run state and audit reports. */
  stateContainer: string;
  /** NCRONTAB schedule of complianceSweep. */
  sweepSchedule: string;
  /** Whether the scheduled sweep rotates the opted-in apps (the HTTP sweep only does when asked). */
  rotateOnSchedule: boolean;
  /** Client id of the user-assigned managed identity the Function runs as (unset: system-assigned). */
  managedIdentityClientId?: string;
}

export const DEFAULT_SCHEDULE = "0 0 3 * * *";

/** complianceSweep's NCRONTAB schedule: AAG_SWEEP_SCHEDULE, else daily at 03:00 (checked by readSettings). */
export function sweepScheduleOf(env: NodeJS.ProcessEnv): string {
  return env.AAG_SWEEP_SCHEDULE || DEFAULT_SCHEDULE;
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new InputError(`must be true or false, not '${raw}'`, { field: name });
}

/** The Function's own storage (every function of the app shares it). */
export function storageSettingsOf(env: NodeJS.ProcessEnv): Pick<FunctionSettings, "storage" | "stateContainer"> {
  const account = env.AAG_STORAGE_ACCOUNT || env.AzureWebJobsStorage__accountName;
  const connectionString = env.AzureWebJobsStorage;
  let storage: FunctionSettings["storage"];
  if (account) {
    if (!/^[a-z0-9]{3,24}$/.test(account))
      throw new InputError("storage account names are 3-24 lowercase letters and digits", { field: "AAG_STORAGE_ACCOUNT" });
    storage = { account };
  } else if (connectionString) storage = { connectionString };
  else
    throw new InputError("set AAG_STORAGE_ACCOUNT (identity-based) or AzureWebJobsStorage (connection string)", {
      field: "AAG_STORAGE_ACCOUNT",
    });
  const stateContainer = env.AAG_STATE_CONTAINER || "azure-auth-gate";
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(stateContainer))
    throw new InputError("not a valid Blob container name", { field: "AAG_STATE_CONTAINER" });
  return { storage, stateContainer };
}

export function readSettings(env: NodeJS.ProcessEnv): FunctionSettings {
  const sweepConfigFile = env.AAG_SWEEP_CONFIG;
  if (!sweepConfigFile) throw new InputError("set it to the sweep config file (see docs/function.md)", { field: "AAG_SWEEP_CONFIG" });
  const { storage, stateContainer } = storageSettingsOf(env);
  const sweepSchedule = sweepScheduleOf(env);
  if (sweepSchedule.trim().split(/\s+/).length !== 6)
    throw new InputError("an NCRONTAB schedule has six fields: {second} {minute} {hour} {day} {month} {day-of-week}", {
      field: "AAG_SWEEP_SCHEDULE",
    });
  return {
    sweepConfigFile,
    storage,
    stateContainer,
    sweepSchedule,
    rotateOnSchedule: bool(env, "AAG_ROTATE_ON_SCHEDULE", true),
    ...(env.AZURE_CLIENT_ID ? { managedIdentityClientId: env.AZURE_CLIENT_ID } : {}),
  };
}
