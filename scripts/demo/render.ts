/**
 * Fills the double-brace placeholders of the demo's files (examples/sandbox/) with the values only a running
 * sandbox knows: the same names test/sandbox's scenario resolver understands for Kubernetes objects
 * (tenantId, identity:<n>.clientId, app:<n>.appId, vault:<n>.url, storage:<n>.blobUrl), plus the two the
 * gate's config needs (subscription:<n>.id, sandbox.cloudProfile). An unknown placeholder is an error, so
 * a typo in an example never reaches the gate as literal text.
 */
import type { Sandbox } from "../../test/sandbox/index.js";

export function renderPlaceholders(text: string, sb: Sandbox, file: string): string {
  return text.replace(/\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
    const value = placeholder(expr, sb);
    if (value === undefined) throw new Error(`${file}: unknown placeholder {{${expr}}}`);
    return value;
  });
}

function placeholder(expr: string, sb: Sandbox): string | undefined {
  if (expr === "tenantId") return sb.state.tenantId;
  if (expr === "sandbox.cloudProfile") return sb.profileFile;
  const m = /^(identity|app|vault|storage|subscription):([^.]+)\.(\w+)$/.exec(expr);
  if (!m) return undefined;
  const [, kind, name = "", field] = m;
  if (kind === "identity" && field === "clientId") return sb.state.identities.find((i) => i.name === name)?.clientId;
  if (kind === "app" && field === "appId") return sb.state.applications.find((a) => a.displayName === name)?.appId;
  if (kind === "vault" && field === "url" && sb.state.keyVaults.some((v) => v.name === name)) return `${sb.urls.keyVault}/${name}`;
  if (kind === "storage" && field === "blobUrl" && sb.state.storageAccounts.some((s) => s.name === name)) return `${sb.urls.blob}/${name}`;
  if (kind === "subscription" && field === "id") return sb.state.subscriptions.find((s) => s.name === name)?.subscriptionId;
  return undefined;
}
