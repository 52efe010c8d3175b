/**
 * Where a request comes from, as the Key Vault and Storage firewalls see it.
 *
 * Azure's firewalls judge the caller's network position (public IP, or the VNet subnet it comes from
 * through a service endpoint / private link). On one machine every caller is 127.0.0.1, so the
 * sandbox gives each simulated cluster its own loopback SOURCE address instead:
 *
 * - Pods never talk to the sandbox directly: pods.ts points their HTTPS_PROXY at a per-cluster
 *   "egress" proxy (startEgressProxy below). That proxy opens its upstream connections FROM the
 *   cluster's loopback alias (127.0.10.N, always TO 127.0.0.1), so the services see
 *   `remoteAddress = 127.0.10.N` and map it back to the cluster: its subnet and egress IP.
 * - Anything else (the gate on a GitHub runner, a test, a developer's shell) arrives from 127.0.0.1
 *   and is treated as the public internet at RUNNER_PUBLIC_IP.
 *
 * Limitations, on purpose: no VNet model beyond "the cluster's subnet" (a private endpoint is taken to
 * be reachable from every cluster that has a subnet); service endpoints are assumed enabled on a
 * subnet a rule names; trusted-service bypass never applies (no Azure service calls the sandbox).
 * Destinations stay 127.0.0.1 only; the 127.0.10.x aliases exist on every Linux loopback (127/8).
 */
import http from "node:http";
import type net from "node:net";
import type { ClusterState, NetworkState, TenantState } from "./state.js";
import { listenOnLoopback, openTunnel } from "./connect-proxy.js";

/** The public IP every caller outside a cluster appears to have (TEST-NET-2, never routable). */
export const RUNNER_PUBLIC_IP = "198.51.100.20";

export type NetworkSource = { kind: "internet"; ip: string } | { kind: "cluster"; cluster: ClusterState; ip: string };

/** The loopback alias a cluster's pods egress from: 127.0.10.(index+1). */
export function clusterSourceAddress(state: TenantState, clusterName: string): string {
  const index = state.clusters.findIndex((c) => c.name === clusterName);
  if (index < 0) throw new Error(`unknown cluster '${clusterName}'`);
  return `127.0.10.${index + 1}`;
}

function normalise(address: string): string {
  return address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
}

/** Maps a connection's remote address back to the caller's network position. */
export function networkSourceOf(state: TenantState, remoteAddress: string): NetworkSource {
  const match = /^127\.0\.10\.(\d+)$/.exec(normalise(remoteAddress));
  const cluster = match ? state.clusters[Number(match[1]) - 1] : undefined;
  if (cluster) return { kind: "cluster", cluster, ip: cluster.egressIp };
  return { kind: "internet", ip: RUNNER_PUBLIC_IP };
}

export type FirewallDecision =
  { allowed: true; via: string } | { allowed: false; reason: "public-network-disabled" | "not-allowed"; clientIp: string };

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return (((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0;
}

/** An IP rule is an address or a CIDR range (Azure accepts both, IPv4 only). */
export function ipRuleMatches(rule: string, ip: string): boolean {
  const [base, bitsText] = rule.trim().split("/");
  const addr = ipv4ToInt(ip);
  const start = ipv4ToInt(base ?? "");
  if (addr === undefined || start === undefined) return false;
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (addr & mask) === (start & mask);
}

/**
 * The firewall of a vault or storage account, in the order Azure applies it: a private endpoint
 * reached from inside the VNet bypasses the public firewall; otherwise public access must be
 * enabled, and then either the default action is Allow or a virtual-network rule (the caller's
 * subnet) or an IP rule (the caller's public IP) lets the request in.
 */
export function evaluateFirewall(network: NetworkState, source: NetworkSource): FirewallDecision {
  const subnet = source.kind === "cluster" ? source.cluster.subnetId : undefined;
  if (network.privateEndpoint && subnet) return { allowed: true, via: "private endpoint" };
  if (network.publicNetworkAccess === "Disabled") return { allowed: false, reason: "public-network-disabled", clientIp: source.ip };
  if (network.defaultAction === "Allow") return { allowed: true, via: "default action Allow" };
  if (subnet && network.virtualNetworkRules.some((r) => r.toLowerCase() === subnet.toLowerCase())) {
    return { allowed: true, via: `virtual network rule ${subnet}` };
  }
  const ipRule = network.ipRules.find((r) => ipRuleMatches(r, source.ip));
  if (ipRule) return { allowed: true, via: `IP rule ${ipRule}` };
  return { allowed: false, reason: "not-allowed", clientIp: source.ip };
}

// ---------------------------------------------------------------------------------------------
// Egress proxy: what gives a pod's traffic its cluster's source address
// ---------------------------------------------------------------------------------------------

export interface EgressProxy {
  url: string;
  close(): Promise<void>;
}

function isLoopbackHost(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]" || host === "::1";
}

/**
 * An HTTP proxy (CONNECT for https, absolute-form requests for http) that connects to loopback
 * targets from `localAddress`. Requests for any other host go to `upstreamProxy` (the sandbox's
 * guarding proxy, which serves login.microsoftonline.com from the sandbox and refuses the rest) or
 * are refused here when there is none — nothing leaves the machine.
 */
export async function startEgressProxy(opts: { localAddress: string; upstreamProxy?: string }): Promise<EgressProxy> {
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    let target: URL;
    try {
      target = new URL(req.url ?? "");
    } catch {
      res.writeHead(400).end("absolute-form request expected");
      return;
    }
    const viaUpstream = !isLoopbackHost(target.hostname);
    if (viaUpstream && !opts.upstreamProxy) {
      res.writeHead(403).end(`egress to ${target.host} refused by the sandbox`);
      return;
    }
    const upstream = viaUpstream ? new URL(opts.upstreamProxy!) : undefined;
    const forward = http.request(
      {
        host: upstream ? upstream.hostname : "127.0.0.1",
        port: upstream ? Number(upstream.port) : Number(target.port || 80),
        localAddress: upstream ? undefined : opts.localAddress,
        method: req.method,
        path: upstream ? req.url : `${target.pathname}${target.search}`,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502).end("upstream unreachable")));
    req.pipe(forward);
  });

  server.on("connect", (req, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    const [host = "", portText = "443"] = (req.url ?? "").split(/:(?=\d+$)/);
    const refuse = (status: string) => client.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\n\r\n`);
    const unreachable = () => refuse("502 Bad Gateway");
    if (isLoopbackHost(host)) {
      openTunnel(client, head, { upstream: { host: "127.0.0.1", port: Number(portText), localAddress: opts.localAddress }, unreachable });
      return;
    }
    if (!opts.upstreamProxy) return refuse("403 Forbidden");
    // Chain the CONNECT to the guarding proxy unchanged; it answers the client itself.
    const proxyUrl = new URL(opts.upstreamProxy);
    openTunnel(client, head, {
      upstream: { host: proxyUrl.hostname, port: Number(proxyUrl.port) },
      chainedConnect: `CONNECT ${req.url} HTTP/1.1\r\nHost: ${req.url}\r\n\r\n`,
      unreachable,
    });
  });

  return listenOnLoopback(server, sockets);
}
