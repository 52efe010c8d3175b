/** AG201 — no user-assigned identity (or app registration) has the client id the ServiceAccount names. */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import type { TargetFacts } from "../facts/types.js";
import { couldNotVerify, describeWorkload, workloadTarget } from "./common.js";
import { sh, substitution } from "../../shell.js";
import { annotateClientIdCommand } from "./fix-commands.js";

export function ag201(facts: TargetFacts): Finding[] {
  const t = facts.target;
  const lookup = facts.identity;
  const where = t.location ? { location: t.location } : {};
  // No client id at all is AG216: there is no id whose identity could be missing.
  if (!lookup.clientId || lookup.identity) return [];
  if (lookup.unreadable.length > 0) {
    return [
      couldNotVerify(
        "AG201",
        workloadTarget(t),
        `looking up client id ${lookup.clientId} for ${describeWorkload(t)}`,
        lookup.unreadable,
        t.location,
      ),
    ];
  }
  const searched =
    lookup.searchedSubscriptions.length > 0 ? `subscription(s) ${lookup.searchedSubscriptions.join(", ")}` : "the configured subscriptions";
  const near = lookup.principalIdMatch;
  const evidence = near
    ? `${describeWorkload(t)} names client id ${lookup.clientId}, which is the principal (object) id of identity '${near.name}', not its client id ${near.clientId} (Entra answers AADSTS700016)`
    : `${describeWorkload(t)} names client id ${lookup.clientId}; no user-assigned identity in ${searched} and no app registration in the tenant has it (Entra answers AADSTS700016)`;
  const fix = near
    ? annotateClientIdCommand(t.namespace, t.serviceAccount, near.clientId)
    : [
        `az identity create --name ${sh(`${t.serviceAccount}-id`)} --resource-group <resource-group>`,
        annotateClientIdCommand(
          t.namespace,
          t.serviceAccount,
          substitution(
            `az identity show --name ${sh(`${t.serviceAccount}-id`)} --resource-group '<resource-group>' --query clientId -o tsv`,
          ),
        ),
      ].join("\n");
  return [raise("AG201", { target: workloadTarget(t), ...where, evidence, fix })];
}
