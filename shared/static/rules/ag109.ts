/** AG109: the container's AZURE_CLIENT_ID differs from its ServiceAccount's client id. */
import { formatTarget, type Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { knownValue } from "../env.js";
import { sameClientId } from "../token-injection.js";
import { WI_CLIENT_ID_ANNOTATION } from "../inventory.js";
import { at, targetOf, type RuleContext } from "./rule-context.js";
import { sh } from "../../shell.js";

export function ag109(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const w of ctx.model.workloads) {
    const sa = w.serviceAccount;
    if (!sa?.clientId) continue;
    for (const c of w.containers) {
      const own = c.env.effective.get("AZURE_CLIENT_ID");
      const value = knownValue(own)?.trim();
      if (!own || own.presence !== "present" || !value || sameClientId(value, sa.clientId)) continue;
      out.push(
        raise("AG109", {
          target: targetOf(w),
          location: at(w.file, own.line),
          evidence: `container ${c.name} of ${formatTarget(w)} sets AZURE_CLIENT_ID=${value}${own.source.kind === "configMap" ? ` (from ConfigMap ${own.source.name})` : ""}, but ServiceAccount ${sa.name} names ${sa.clientId} (${sa.file}:${sa.clientIdLine ?? sa.line}); the projected token is federated with the ServiceAccount's identity, so Entra answers AADSTS70021 / AADSTS700213`,
          fix: [
            `Delete the AZURE_CLIENT_ID env entry from container ${c.name} (the webhook injects ${sa.clientId} from the ServiceAccount), or make them equal:`,
            `- name: AZURE_CLIENT_ID`,
            `  value: "${sa.clientId}"`,
            `If ${value} is the identity you meant, put it in the ServiceAccount instead: \`kubectl -n ${sh(sa.namespace)} annotate serviceaccount ${sh(sa.name)} --overwrite ${WI_CLIENT_ID_ANNOTATION}=${sh(value)}\`.`,
          ].join("\n"),
        }),
      );
    }
  }
  return out;
}
