import type { AddressInfo } from "node:net";

/** Where a server listens, said plainly: the address bound, who can reach it, and a URL to try from here. */
export interface ListenAddress {
  /** The address and port bound, e.g. `0.0.0.0:8787` or `[::1]:8787`. */
  address: string;
  port: number;
  /** `all`: every interface (0.0.0.0 or ::); `loopback`: this machine only; `one`: one interface. */
  reach: "all" | "loopback" | "one";
  /** A URL that reaches the server from this machine: loopback when it listens on every interface. */
  url: string;
}

/** Describes the address a server is bound to (its `server.address()`). */
export function listenAddress(bound: AddressInfo): ListenAddress {
  const ip = bound.address;
  const literal = bound.family === "IPv6" ? `[${ip}]` : ip;
  const port = bound.port;
  const address = `${literal}:${port}`;
  if (ip === "0.0.0.0" || ip === "::")
    return { address, port, reach: "all", url: `http://127.0.0.1:${port}` };
  const loopback = ip === "::1" || ip.startsWith("127.") || ip.startsWith("::ffff:127.");
  return { address, port, reach: loopback ? "loopback" : "one", url: `http://${address}` };
}

/** The bound address with who can reach it, as the start-up banner says it. */
export function describeListenAddress(listen: ListenAddress): string {
  switch (listen.reach) {
    case "all":
      return `${listen.address}, all interfaces (from this machine: ${listen.url})`;
    case "loopback":
      return `${listen.address}, this machine only (HOST=0.0.0.0 listens on all interfaces)`;
    case "one":
      return listen.address;
  }
}
