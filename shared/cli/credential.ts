/**
 * The CLI's own Azure login: DefaultAzureCredential pointed at the config's cloud (authority host and
 * instance discovery from the cloud profile, so sovereign and private clouds work). The one line a user sees
 * when no credential could sign in is in login-line.ts (no SDK import: main.ts needs it on every path).
 */
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import type { CloudProfile } from "../cloud/profile.js";
import { profileClientOptions } from "../cloud/tls.js";
import { bridgeAzureSdkLog } from "../azure/sdk-log.js";

/** `managedIdentityClientId`: which of several user-assigned identities the host's managed identity is (Functions). */
export function gateCredential(
  profile: CloudProfile,
  tenantId?: string,
  options: { managedIdentityClientId?: string | undefined } = {},
): TokenCredential {
  // The identity SDK's sign-in lines go where the host sends the gate's lines (--verbose, step debug, context.log).
  bridgeAzureSdkLog();
  return new DefaultAzureCredential({
    authorityHost: profile.authorityHost,
    disableInstanceDiscovery: profile.disableInstanceDiscovery,
    ...profileClientOptions(profile),
    ...(tenantId ? { tenantId } : {}),
    ...(options.managedIdentityClientId ? { managedIdentityClientId: options.managedIdentityClientId } : {}),
  });
}
