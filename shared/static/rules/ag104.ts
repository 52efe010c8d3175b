/** AG104: an annotated ServiceAccount, but the pod template lacks the Workload Identity label. */
import { formatTarget, type Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { podLabelYaml, podLabelsPath } from "../fix-text.js";
import { WI_CLIENT_ID_ANNOTATION, WI_USE_LABEL } from "../inventory.js";
import { at, podLabelsLine, targetOf, type RuleContext } from "./rule-context.js";

export function ag104(ctx: RuleContext): Finding[] {
  return ctx.model.workloads.flatMap((w) => {
    const sa = w.serviceAccount;
    if (!sa?.clientId || w.wiLabelled) return [];
    const wrongValue = w.podLabels[WI_USE_LABEL] !== undefined ? ` (it is "${w.podLabels[WI_USE_LABEL]}")` : "";
    const onOwner = w.locations.ownerWiLabel
      ? `; the label is on the ${w.kind}'s own metadata.labels (line ${w.locations.ownerWiLabel}), which the webhook does not read`
      : "";
    const isPod = w.templatePath.length === 0;
    return [
      raise("AG104", {
        target: targetOf(w),
        location: at(w.file, podLabelsLine(w)),
        evidence: `${formatTarget(w)} runs as ServiceAccount ${sa.name}, annotated ${WI_CLIENT_ID_ANNOTATION}: ${sa.clientId} (${sa.file}:${sa.clientIdLine ?? sa.line}), but its pod template has no label ${WI_USE_LABEL}: "true"${wrongValue}${onOwner}. The webhook injects no AZURE_FEDERATED_TOKEN_FILE, so Workload Identity never starts`,
        fix: [
          `Add the label to the pod template at ${podLabelsPath(w)}${isPod ? "" : ` — a label on the ${w.kind}'s own metadata does not count: the webhook reads the pod's labels`}:`,
          podLabelYaml(w),
          isPod
            ? `Recreate the Pod afterwards: the webhook mutates pods only when they are created.`
            : `The pods are recreated on the next rollout and get the token volume and AZURE_* variables then.`,
        ].join("\n"),
      }),
    ];
  });
}
