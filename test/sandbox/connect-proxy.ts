/**
 * What both of the sandbox's proxies (proxy.ts, the guarding proxy; network.ts, a cluster's egress
 * proxy) do the same way: open a CONNECT tunnel — connect upstream, send what opens it, then pipe the
 * two sockets both ways until either side closes — and listen on loopback, closing every tunnel on stop.
 */
import type http from "node:http";
import net from "node:net";

export interface TunnelOptions {
  /** Where the tunnel goes (host, port, and the source address for a cluster's egress). */
  upstream: net.TcpNetConnectOpts;
  /**
   * Set when `upstream` is itself a proxy: the CONNECT request sent to it, which then answers the
   * client itself. Otherwise the tunnel ends at `upstream` and the client gets the 200 from here.
   */
  chainedConnect?: string;
  /** Answers the client when the upstream cannot be reached. */
  unreachable(): void;
}

/** Opens the tunnel for a CONNECT request's `client` socket and `head` bytes; returns the upstream socket. */
export function openTunnel(client: net.Socket, head: Buffer, opts: TunnelOptions): net.Socket {
  const upstream = net.connect(opts.upstream, () => {
    if (opts.chainedConnect !== undefined) upstream.write(opts.chainedConnect);
    else client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
    if (head.length > 0) upstream.write(head);
    upstream.pipe(client).pipe(upstream);
  });
  upstream.on("error", () => opts.unreachable());
  client.on("close", () => upstream.destroy());
  return upstream;
}

export interface LoopbackProxy {
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (a free port); `close` first destroys `sockets`, the proxy's open tunnels. */
export async function listenOnLoopback(server: http.Server, sockets: Set<net.Socket>): Promise<LoopbackProxy> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
