import type { IncomingMessage } from "node:http";

/** The outcome of reading a request body under a size cap (and a byte budget, when given one). */
export type BodyRead =
  | { kind: "ok"; body: Buffer }
  | { kind: "too_large" }
  | { kind: "over_budget" }
  | { kind: "aborted" };

/** A share of a bounded budget, taken chunk by chunk as a body is read. */
export interface ByteBudget {
  /** Takes `n` more bytes; false, taking nothing, when there is no room for them. */
  take(n: number): boolean;
}

/**
 * Reads a request body as it streams in, stopping at `maxBytes`: a declared or actual size over
 * the cap answers `too_large` without reading (or buffering) the rest, and so does a chunk the
 * `budget` has no room for (`over_budget`).
 */
export function readBody(req: IncomingMessage, maxBytes: number, budget?: ByteBudget): Promise<BodyRead> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.resolve({ kind: "too_large" });
  if (req.destroyed) return Promise.resolve({ kind: "aborted" });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyRead) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onAbort);
      req.off("aborted", onAbort);
      req.off("close", onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        settle({ kind: "too_large" });
        return;
      }
      if (budget !== undefined && !budget.take(chunk.length)) {
        req.pause();
        settle({ kind: "over_budget" });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () =>
      settle({ kind: "ok", body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size) });
    // A request destroyed by a timeout may only close; after "end", "close" finds it settled.
    const onAbort = () => settle({ kind: "aborted" });
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onAbort);
    req.on("aborted", onAbort);
    req.on("close", onAbort);
  });
}
