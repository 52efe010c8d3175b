/**
 * AG211 — the storage account or vault refuses public network access, or has a default-deny
 * firewall with no virtual-network rule, IP rule or private endpoint that covers the cluster.
 * Trusted-service bypass never covers AKS pods (AKS is not a trusted Microsoft service).
 */
import { raise } from "../../findings/raise.js";
import type { Finding } from "../../findings/model.js";
import { sameArmId } from "../arm-id.js";
import type { NetworkAclFact, StorageAccountFact, TargetFacts, VaultFact } from "../facts/types.js";
import { azureTarget, publicAccessOff } from "./common.js";
import { networkFixCommands } from "./fix-commands.js";

function ipv4(ip: string): number | undefined {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + p, 0);
}

/** Does an IP rule (address or CIDR) cover the egress address/range `ip`? */
export function ipRuleCovers(rule: string, ip: string): boolean {
  const [ruleBase = "", ruleBits = "32"] = rule.trim().split("/");
  const [ipBase = "", ipBits = "32"] = ip.trim().split("/");
  const r = ipv4(ruleBase);
  const a = ipv4(ipBase);
  const rb = Number(ruleBits);
  if (r === undefined || a === undefined || !Number.isInteger(rb) || rb < 0 || rb > 32 || Number(ipBits) < rb) return false;
  const size = 2 ** (32 - rb);
  return Math.floor(r / size) === Math.floor(a / size);
}

export type NetworkVerdict = { covered: true; via: string } | { covered: false; why: string };

export function evaluateNetwork(n: NetworkAclFact, subnetIds: readonly string[], egressIps: readonly string[]): NetworkVerdict {
  const pe = n.privateEndpoints.length > 0;
  if (pe && subnetIds.length > 0) return { covered: true, via: "private endpoint" };
  if (publicAccessOff(n)) {
    return {
      covered: false,
      why: `public network access is '${n.publicNetworkAccess ?? ""}'${pe ? " and a private endpoint exists, but the cluster's subnet is unknown (set network.subnetId)" : " and no private endpoint is approved"}`,
    };
  }
  if (n.defaultAction === "Allow") return { covered: true, via: "default action Allow" };
  const subnet = subnetIds.find((s) => n.virtualNetworkRules.some((r) => sameArmId(r, s)));
  if (subnet) return { covered: true, via: `virtual network rule for ${subnet}` };
  const ip = egressIps.find((e) => n.ipRules.some((r) => ipRuleCovers(r, e)));
  if (ip) return { covered: true, via: `IP rule covering ${ip}` };
  const seen = [
    `default action Deny`,
    n.virtualNetworkRules.length > 0 ? `virtual network rules for ${n.virtualNetworkRules.join(", ")}` : "no virtual network rules",
    n.ipRules.length > 0 ? `IP rules ${n.ipRules.join(", ")}` : "no IP rules",
    `cluster subnet ${subnetIds.length > 0 ? subnetIds.join(", ") : "unknown"}`,
    `egress IPs ${egressIps.length > 0 ? egressIps.join(", ") : "unknown (set network.egressIps)"}`,
  ];
  if (n.bypass && /azureservices/i.test(n.bypass)) seen.push("trusted-service bypass is on but does not cover AKS pods");
  return { covered: false, why: seen.join("; ") };
}

function check(kind: "storage" | "vault", r: StorageAccountFact | VaultFact, facts: TargetFacts): Finding[] {
  const verdict = evaluateNetwork(r.network, facts.network.subnetIds, facts.network.egressIps);
  if (verdict.covered) return [];
  return [
    raise("AG211", {
      target: azureTarget(r.id),
      evidence: `${kind === "storage" ? "storage account" : "vault"} '${r.name}' may refuse the cluster: ${verdict.why} (the live probe decides)`,
      fix: networkFixCommands(kind, r, r.network, facts.network.subnetIds, facts.network.egressIps).join("\n"),
    }),
  ];
}

export function ag211(facts: TargetFacts): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  const visit = (kind: "storage" | "vault", r: StorageAccountFact | VaultFact | undefined) => {
    if (!r || seen.has(r.id.toLowerCase())) return;
    seen.add(r.id.toLowerCase());
    out.push(...check(kind, r, facts));
  };
  for (const b of facts.blob) visit("storage", b.account.resource);
  for (const k of facts.keyVault) visit("vault", k.vault.resource);
  return out;
}
