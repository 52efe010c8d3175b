/** AG101: a credential literal in a container's env. Evidence names the variable and the value's length only. */
import { formatTarget, type Finding } from "../../findings/model.js";
import { raise } from "../../findings/raise.js";
import { isSecretVariable } from "../credential-knowledge.js";
import { knownValue } from "../env.js";
import { at, targetOf, type RuleContext } from "./rule-context.js";
import { revokeStep, workloadIdentityFix } from "./credential-fixes.js";
import { sh } from "../../shell.js";

export function ag101(ctx: RuleContext): Finding[] {
  const out: Finding[] = [];
  for (const w of ctx.model.workloads) {
    for (const c of w.containers) {
      for (const v of c.env.entries) {
        if (v.via !== "env" || v.source.kind !== "literal" || !v.source.credential) continue;
        const what = isSecretVariable(v.name) ? "" : ` holding ${v.source.credential}`;
        const appId = sh(knownValue(c.env.effective.get("AZURE_CLIENT_ID")) ?? knownValue(c.env.effective.get("CLIENT_ID")) ?? "<app-id>");
        out.push(
          raise("AG101", {
            target: targetOf(w),
            location: at(w.file, v.line),
            evidence: `env ${v.name} in container ${c.name} of ${formatTarget(w)} has a literal value${what} (${v.source.length} characters, redacted)`,
            fix: [
              `Delete the \`value:\` of env ${v.name} from container ${c.name} in ${formatTarget(w)}; the credential is in the manifest and its history, so treat it as leaked.`,
              revokeStep(v.source.family, appId),
              workloadIdentityFix(w),
            ].join("\n"),
          }),
        );
      }
    }
  }
  return out;
}
