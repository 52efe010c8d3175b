/** AG105: the Workload Identity label, but no client id (ServiceAccount annotation or AZURE_CLIENT_ID). */
import { formatTarget, type Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { presenceOf } from "../env.js";
import { CLIENT_ID_PLACEHOLDER, serviceAccountYaml } from "../fix-text.js";
import { WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "../inventory.js";
import { at, podLabelsLine, targetOf, type RuleContext } from "./rule-context.js";
import { sh } from "../../shell.js";

export function ag105(ctx: RuleContext): Finding[] {
  return ctx.model.workloads.flatMap((w) => {
    const sa = w.serviceAccount;
    if (!w.wiLabelled || !sa || sa.clientId) return [];
    if (w.containers.some((c) => presenceOf(c.env, "AZURE_CLIENT_ID") !== "absent")) return [];
    return [
      raise("AG105", {
        target: targetOf(w),
        location: at(w.file, podLabelsLine(w)),
        evidence: `${formatTarget(w)} is labelled ${WI_USE_LABEL}: "true" but ServiceAccount ${sa.namespace}/${sa.name} (${sa.file}:${sa.line}) has no ${WI_CLIENT_ID_ANNOTATION} annotation and no container sets AZURE_CLIENT_ID: the SDK does not know which identity to federate`,
        fix: [
          `Annotate ServiceAccount ${sa.name} with the user-assigned identity's client id (\`az identity show -g <resource-group> -n <identity-name> --query clientId -o tsv\`):`,
          `kubectl -n ${sh(sa.namespace)} annotate serviceaccount ${sh(sa.name)} ${WI_CLIENT_ID_ANNOTATION}=${sh(CLIENT_ID_PLACEHOLDER)}`,
          `and in the manifest:`,
          serviceAccountYaml(sa.namespace, sa.name, undefined),
        ].join("\n"),
      }),
    ];
  });
}
