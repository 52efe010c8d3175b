/**
 * The firewall model shared by Key Vault and the blob proxy, and the egress proxy that gives a
 * cluster's pods their network identity (source address → cluster → subnet and egress IP).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  clusterSourceAddress,
  evaluateFirewall,
  ipRuleMatches,
  networkSourceOf,
  RUNNER_PUBLIC_IP,
  startEgressProxy,
} from "../sandbox/network.js";
import type { TenantState } from "../sandbox/state.js";
import { baseState, cluster, openNetwork, SUBNET } from "./fixtures.js";

let state: TenantState;
let echo: http.Server;
let echoPort: number;

beforeAll(async () => {
  state = baseState({ clusters: [cluster("aks1"), cluster("aks2", { subnetId: undefined, egressIp: "52.1.2.3" })] });
  echo = http.createServer((req, res) => res.end(JSON.stringify({ from: req.socket.remoteAddress, url: req.url })));
  await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
  echoPort = (echo.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((r) => echo.close(() => r())));

describe("firewall evaluation", () => {
  const internet = { kind: "internet" as const, ip: RUNNER_PUBLIC_IP };
  const fromAks1 = () => networkSourceOf(state, clusterSourceAddress(state, "aks1"));
  const fromAks2 = () => networkSourceOf(state, clusterSourceAddress(state, "aks2"));

  it("maps loopback aliases back to clusters and everything else to the runner's public IP", () => {
    expect(clusterSourceAddress(state, "aks2")).toBe("127.0.10.2");
    expect(fromAks1()).toMatchObject({ kind: "cluster", ip: "20.50.60.70" });
    expect(networkSourceOf(state, "::ffff:127.0.10.2")).toMatchObject({ kind: "cluster", ip: "52.1.2.3" });
    expect(networkSourceOf(state, "127.0.0.1")).toEqual(internet);
    expect(networkSourceOf(state, "127.0.10.9")).toEqual(internet);
  });

  it("matches IP rules as addresses or CIDR ranges", () => {
    expect(ipRuleMatches("52.1.2.0/24", "52.1.2.3")).toBe(true);
    expect(ipRuleMatches("52.1.2.3", "52.1.2.3")).toBe(true);
    expect(ipRuleMatches("52.1.3.0/24", "52.1.2.3")).toBe(false);
    expect(ipRuleMatches("0.0.0.0/0", "52.1.2.3")).toBe(true);
    expect(ipRuleMatches("not-an-ip", "52.1.2.3")).toBe(false);
  });

  it("applies public access, default action, VNet rules, IP rules and private endpoints in Azure's order", () => {
    expect(evaluateFirewall(openNetwork(), internet)).toMatchObject({ allowed: true });
    const deny = openNetwork({ defaultAction: "Deny", virtualNetworkRules: [SUBNET.toUpperCase()], ipRules: ["52.1.2.0/24"] });
    expect(evaluateFirewall(deny, internet)).toEqual({ allowed: false, reason: "not-allowed", clientIp: RUNNER_PUBLIC_IP });
    expect(evaluateFirewall(deny, fromAks1())).toMatchObject({ allowed: true, via: expect.stringContaining("virtual network rule") });
    expect(evaluateFirewall(deny, fromAks2())).toMatchObject({ allowed: true, via: "IP rule 52.1.2.0/24" });
    const closed = openNetwork({ publicNetworkAccess: "Disabled", privateEndpoint: true });
    expect(evaluateFirewall(closed, internet)).toMatchObject({ allowed: false, reason: "public-network-disabled" });
    expect(evaluateFirewall(closed, fromAks1())).toMatchObject({ allowed: true, via: "private endpoint" });
    expect(evaluateFirewall(closed, fromAks2())).toMatchObject({ allowed: false });
  });
});

describe("egress proxy", () => {
  it("connects loopback targets from the cluster's source address (absolute-form HTTP and CONNECT)", async () => {
    const egress = await startEgressProxy({ localAddress: "127.0.10.1" });
    try {
      const proxy = new URL(egress.url);
      const viaHttp = await new Promise<string>((resolve, reject) => {
        http
          .get(
            {
              host: proxy.hostname,
              port: proxy.port,
              path: `http://127.0.0.1:${echoPort}/metadata`,
              headers: { host: `127.0.0.1:${echoPort}` },
            },
            (res) => {
              let body = "";
              res.on("data", (c: Buffer) => (body += c.toString()));
              res.on("end", () => resolve(body));
            },
          )
          .on("error", reject);
      });
      expect(JSON.parse(viaHttp)).toEqual({ from: "127.0.10.1", url: "/metadata" });

      const tunnel = await new Promise<string>((resolve, reject) => {
        const req = http.request({ host: proxy.hostname, port: proxy.port, method: "CONNECT", path: `127.0.0.1:${echoPort}` });
        req.on("connect", (res, socket) => {
          expect(res.statusCode).toBe(200);
          socket.write(`GET /tunnel HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
          let raw = "";
          socket.on("data", (c: Buffer) => (raw += c.toString()));
          socket.on("end", () => resolve(raw));
        });
        req.on("error", reject);
        req.end();
      });
      expect(tunnel).toContain('"from":"127.0.10.1"');
    } finally {
      await egress.close();
    }
  });

  it("refuses any non-loopback host when there is no guarding proxy upstream", async () => {
    const egress = await startEgressProxy({ localAddress: "127.0.10.1" });
    try {
      const proxy = new URL(egress.url);
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request({ host: proxy.hostname, port: proxy.port, method: "CONNECT", path: "login.microsoftonline.com:443" });
        req.on("connect", (res, socket) => {
          socket.destroy();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
      expect(status).toBe(403);
    } finally {
      await egress.close();
    }
  });
});
