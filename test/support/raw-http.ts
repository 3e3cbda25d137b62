import { once } from "node:events";
import { connect, type Socket } from "node:net";

/** A raw TCP connection to a test server, for clients no HTTP library would be: slow, partial, hostile. */
export interface RawConnection {
  socket: Socket;
  /** performance.now() when the connection was established. */
  openedAt: number;
  /** Everything the server has sent so far. */
  received(): string;
  /** Resolves with performance.now() once the connection is closed, by either side. */
  closed: Promise<number>;
}

/** Opens a connection to an `http://host:port` URL, from `localAddress` when given (any 127.x on Linux). */
export async function openRaw(url: string, localAddress?: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port), localAddress });
  let text = "";
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString("latin1");
  });
  // A reset is one of the ways a server may end a connection; the test looks at when and what.
  socket.on("error", () => {});
  const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(performance.now())));
  await once(socket, "connect");
  return { socket, openedAt: performance.now(), received: () => text, closed };
}

/**
 * Writes `chunks` one every `everyMs` until they run out or the connection closes: the pace of a
 * deliberately slow client, not a wait. Resolves when it stops.
 */
export function trickle(socket: Socket, chunks: readonly string[], everyMs: number): Promise<void> {
  return new Promise((resolve) => {
    let i = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || i >= chunks.length) {
        clearInterval(timer);
        resolve();
        return;
      }
      socket.write(chunks[i++] as string);
    }, everyMs);
    socket.once("close", () => {
      clearInterval(timer);
      resolve();
    });
  });
}

/** The status code of the first response a raw connection received, or null when none came. */
export function statusOf(received: string): number | null {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
  return match ? Number(match[1]) : null;
}

/** The JSON body of the first response a raw connection received. */
export function jsonBodyOf(received: string): Record<string, unknown> {
  const start = received.indexOf("\r\n\r\n");
  return JSON.parse(received.slice(start + 4)) as Record<string, unknown>;
}

/** The value of one Prometheus series (name with its labels as printed, e.g. `x_total{code="a"}`), 0 if absent. */
export async function metricValue(appUrl: string, series: string): Promise<number> {
  const text = await (await fetch(`${appUrl}/metrics`)).text();
  for (const line of text.split("\n")) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}
