// The hostile clients of `npm run bench:hostile`: each kind keeps a number of connections busy (a
// connection the server ends is opened again) until told to stop, and counts how the server ended
// each one. None of them knows a secret.
import { connect } from "node:net";

const KIB = 1024;
const MIB = 1024 * KIB;
const BAD_SIGNATURE = "0".repeat(40);

/**
 * Writes `chunk` every `everyMs` until the returned function is called.
 * @param {import("node:net").Socket} socket
 * @param {() => string | Buffer} chunk
 * @param {number} everyMs
 */
function dribble(socket, chunk, everyMs) {
  const timer = setInterval(() => {
    if (!socket.destroyed) socket.write(chunk());
  }, everyMs);
  return () => clearInterval(timer);
}

/**
 * What each kind of client does on a new connection, with bodies of `size` bytes; it returns a
 * function that stops it, if it keeps doing something.
 * @type {Record<string, (socket: import("node:net").Socket, size: number) => (() => void) | undefined>}
 */
const KINDS = {
  /** Declares a body of `size` bytes and sends 16 KiB of it, then 1 KiB every 200 ms. */
  slowBodies(socket, size) {
    socket.write(
      `POST /ingest/vercel HTTP/1.1\r\nhost: bench\r\nx-vercel-signature: ${BAD_SIGNATURE}\r\ncontent-length: ${size}\r\n\r\n`,
    );
    socket.write(Buffer.alloc(16 * KIB, 0x78));
    return dribble(socket, () => Buffer.alloc(KIB, 0x78), 200);
  },
  /** Sends a request line, then one header line every 500 ms, never ending the headers. */
  headerTrickles(socket) {
    socket.write("POST /ingest/vercel HTTP/1.1\r\nhost: bench\r\n");
    let i = 0;
    return dribble(socket, () => `x-trickle-${i++}: ${"v".repeat(32)}\r\n`, 500);
  },
  /** Sends a body without a signature as fast as the server reads it. */
  unsignedBodies(socket, size) {
    socket.write(
      `POST /ingest/vercel HTTP/1.1\r\nhost: bench\r\nconnection: close\r\ncontent-length: ${size}\r\n\r\n`,
    );
    socket.write(Buffer.alloc(size, 0x78));
    return undefined;
  },
  /** Sends a body with a made-up signature: it must be read whole to be refused. */
  forgedBodies(socket, size) {
    socket.write(
      `POST /ingest/vercel HTTP/1.1\r\nhost: bench\r\nconnection: close\r\nx-vercel-signature: ${BAD_SIGNATURE}\r\ncontent-length: ${size}\r\n\r\n`,
    );
    socket.write(Buffer.alloc(size, 0x78));
    return undefined;
  },
  /** Sends a small event-like body with a made-up signature. */
  badSignatures(socket) {
    const body = JSON.stringify({ id: `forged-${Math.random()}`, type: "deployment.created", payload: {} });
    socket.write(
      `POST /ingest/vercel HTTP/1.1\r\nhost: bench\r\nconnection: close\r\nx-vercel-signature: ${BAD_SIGNATURE}\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
    );
    return undefined;
  },
};

/**
 * Starts `counts[kind]` connections of each kind against `url`, from `localAddress`, each opened
 * again whenever the server ends it, until `stop()`. Outcomes by kind: the status the server
 * answered before it closed the connection, or `closed` when it closed without answering.
 * @param {string} url
 * @param {string} localAddress
 * @param {Record<string, number>} counts
 * @param {{ bodyBytes?: number }} [options] the size of the large bodies (1 MiB)
 */
export function startHostileClients(url, localAddress, counts, { bodyBytes = MIB } = {}) {
  const { hostname, port } = new URL(url);
  const target = { host: hostname, port: Number(port), localAddress };
  let stopping = false;
  /** @type {Set<import("node:net").Socket>} */
  const open = new Set();
  /** @type {Record<string, Record<string, number>>} */
  const outcomes = {};

  /**
   * One connection of `kind`, until it ends.
   * @param {string} kind
   */
  const connection = (kind) =>
    new Promise((resolve) => {
      const socket = connect(target);
      open.add(socket);
      let head = "";
      /** @type {(() => void) | undefined} */
      let stopDriving;
      socket.on("connect", () => {
        stopDriving = KINDS[kind]?.(socket, bodyBytes);
      });
      socket.on("data", (chunk) => {
        if (head.length < 16) head += chunk.toString("latin1");
      });
      socket.on("error", () => {});
      socket.on("close", () => {
        open.delete(socket);
        stopDriving?.();
        // Ended by stop(), not by the server: not an outcome.
        if (!stopping) {
          const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? "closed";
          const byStatus = outcomes[kind] ?? {};
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          outcomes[kind] = byStatus;
        }
        resolve(undefined);
      });
    });

  const loops = Object.entries(counts).flatMap(([kind, count]) =>
    Array.from({ length: count }, async () => {
      while (!stopping) await connection(kind);
    }),
  );
  return {
    /** Connections open now. */
    get open() {
      return open.size;
    },
    /** How the server has ended connections so far, by kind and status. */
    get outcomes() {
      return outcomes;
    },
    /** Stops opening connections, ends the open ones, and resolves with the outcomes by kind. */
    async stop() {
      stopping = true;
      for (const socket of open) socket.destroy();
      await Promise.all(loops);
      return outcomes;
    },
  };
}
