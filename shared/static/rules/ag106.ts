/** AG106: the workload names a ServiceAccount that none of the manifests defines. */
import { formatTarget, type Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { serviceAccountYaml } from "../fix-text.js";
import { WI_CLIENT_ID_ANNOTATION } from "../inventory.js";
import { at, targetOf, type RuleContext } from "./rule-context.js";
import { sh } from "../../shell.js";

export function ag106(ctx: RuleContext): Finding[] {
  return ctx.model.workloads.flatMap((w) => {
    // The `default` ServiceAccount exists in every namespace; an unnamed one is AG107's business.
    if (!w.serviceAccountExplicit || w.serviceAccountName === "default" || w.serviceAccount) return [];
    const line = w.locations.serviceAccountName ?? w.locations.podSpec;
    return [
      raise("AG106", {
        target: targetOf(w),
        location: at(w.file, line),
        evidence: `${formatTarget(w)} runs as ServiceAccount ${w.serviceAccountName}, which none of the manifests defines: its ${WI_CLIENT_ID_ANNOTATION} annotation cannot be checked offline`,
        fix: [
          `Check the ServiceAccount together with the workload: \`kubectl -n ${sh(w.namespace)} get serviceaccount ${sh(w.serviceAccountName)} -o yaml > ${sh(`serviceaccount-${w.serviceAccountName}.yaml`)}\` and pass that file too, or define it:`,
          serviceAccountYaml(w.namespace, w.serviceAccountName, undefined),
        ].join("\n"),
      }),
    ];
  });
}
