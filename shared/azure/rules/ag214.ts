/** AG214 — a needed Blob container (or its storage account) does not exist. */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import { containerScope } from "../arm-id.js";
import type { BlobNeedFacts, TargetFacts } from "../facts/types.js";
import { azureTarget, couldNotVerify, describeWorkload } from "./common.js";
import { sh } from "../../shell.js";

function blobFindings(facts: TargetFacts, b: BlobNeedFacts): Finding[] {
  const who = describeWorkload(facts.target);
  const account = b.account.resource;
  if (!account) {
    const wanted = b.account.wanted;
    if (b.account.unreadable.length > 0)
      return [couldNotVerify("AG214", azureTarget(wanted), `finding storage account '${wanted}' for ${who}`, b.account.unreadable)];
    return [
      raise("AG214", {
        target: azureTarget(wanted),
        evidence: `storage account '${wanted}' was not found in subscription(s) ${b.account.searchedSubscriptions.join(", ") || "(none configured)"}, so container '${b.need.container}' does not exist for ${who}`,
        fix: `Fix the account name in azure-auth-gate.yml, add its subscription to \`subscriptions\`, or create it: az storage account create --name ${sh(wanted)} --resource-group <resource-group>`,
      }),
    ];
  }
  const scope = containerScope(account.id, b.need.container);
  if (!b.container) return [];
  if (!b.container.ok)
    return [
      couldNotVerify(
        "AG214",
        azureTarget(scope),
        `reading container '${b.need.container}' of storage account '${account.name}' for ${who}`,
        [{ what: `container ${b.need.container}`, error: b.container.error }],
      ),
    ];
  if (b.container.value) return [];
  return [
    raise("AG214", {
      target: azureTarget(scope),
      evidence: `container '${b.need.container}' does not exist in storage account '${account.name}' (ARM answered 404 ContainerNotFound) — ${who}`,
      fix: `az storage container create --account-name ${sh(account.name)} --name ${sh(b.need.container)} --auth-mode login`,
    }),
  ];
}

export function ag214(facts: TargetFacts): Finding[] {
  return facts.blob.flatMap((b) => blobFindings(facts, b));
}
