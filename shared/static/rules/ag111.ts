/** AG111: a credential in a ConfigMap. Evidence names the key and the value's length only. */
import type { Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { credentialKind, redactedLength } from "../credentials.js";
import { WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "../inventory.js";
import { at, type RuleContext } from "./rule-context.js";
import { sh } from "../../shell.js";

export function ag111(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const cm of ctx.model.inventory.configMaps.values()) {
    for (const [key, data] of cm.data) {
      const what = credentialKind(key, data.value);
      if (!what) continue;
      out.push(
        raise("AG111", {
          target: { kind: "ConfigMap", namespace: cm.namespace, name: cm.name },
          location: at(cm.file, data.line),
          evidence: `ConfigMap ${cm.namespace}/${cm.name} data key ${key} holds ${what} (${redactedLength(data.value)})`,
          fix: [
            `Delete key ${key} from ConfigMap ${cm.namespace}/${cm.name} (\`kubectl -n ${sh(cm.namespace)} edit configmap ${sh(cm.name)}\` and in the manifest), then rotate the credential: ConfigMaps are plain text and readable by anyone with \`get configmaps\`.`,
            `Store what must stay secret in Key Vault; for Azure access give the pod Workload Identity (ServiceAccount annotated ${WI_CLIENT_ID_ANNOTATION}, pod label ${WI_USE_LABEL}: "true") and an RBAC data role instead of a key.`,
          ].join("\n"),
        }),
      );
    }
  }
  return out;
}
