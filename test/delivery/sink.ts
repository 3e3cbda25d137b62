import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** A local HTTP server that counts what reaches it; `handle` decides how it answers. */
export interface Sink {
  port: number;
  url: string;
  /** Requests whose headers arrived, in order. */
  received: http.IncomingMessage[];
  close(): Promise<void>;
}

/** Starts a sink on `host` (127.0.0.1 by default) on a free port. */
export async function startSink(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void = (_req, res) => res.end("ok"),
  host = "127.0.0.1",
): Promise<Sink> {
  const received: http.IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    received.push(req);
    // A client that hangs up mid-response is expected in these tests; don't crash on it.
    res.on("error", () => {});
    handle(req, res);
  });
  server.on("clientError", (_err, socket) => socket.destroy());
  server.listen(0, host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    port,
    url: `http://${urlHost}:${port}/`,
    received,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

/** A port on 127.0.0.1 that nothing listens on: bound, then released. */
export async function refusedPort(): Promise<number> {
  const server = http.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

/** Whether this host can listen on the IPv6 loopback. */
export async function ipv6LoopbackAvailable(): Promise<boolean> {
  try {
    const sink = await startSink(undefined, "::1");
    await sink.close();
    return true;
  } catch {
    return false;
  }
}
