import type { Connection } from "./connection.js";
import { deliveryOps } from "./ops/deliveries.js";
import { eventOps } from "./ops/events.js";

/**
 * Writes whose commit is acknowledged to someone (a 200 to a sender, a 202 to an API caller) must
 * reach the disk before they return: `synchronous=FULL`. The worker's own bookkeeping (leases,
 * attempt outcomes) may use `NORMAL`: WAL keeps it across a process crash, and should a power cut
 * lose the tail, the worst case is a delivery sent again, which at-least-once allows. A later FULL
 * commit syncs the earlier frames too, since the WAL is appended in order.
 */
const DURABLE = new Set([
  "insertEvents",
  "addDeliveries",
  "retryDelivery",
  "requeueDeliveries",
  "saveDestinationState",
]);

/** The writes the writer thread performs, each one synchronous `BEGIN IMMEDIATE` unit. */
export function createWriteOps(db: Connection) {
  const events = eventOps(db);
  const { insertOne: _insertOne, ...eventWrites } = events;
  const ops = { ...eventWrites, ...deliveryOps(db, events) };
  let level: "FULL" | "NORMAL" = "FULL";
  const wrapped = {} as Record<string, (...args: unknown[]) => unknown>;
  for (const [name, fn] of Object.entries(ops) as [string, (...args: unknown[]) => unknown][]) {
    const wanted = DURABLE.has(name) ? "FULL" : "NORMAL";
    wrapped[name] = (...args: unknown[]) => {
      if (level !== wanted) {
        db.pragma(`synchronous = ${wanted}`);
        level = wanted;
      }
      return fn(...args);
    };
  }
  return wrapped as unknown as typeof ops;
}

export type WriteOps = ReturnType<typeof createWriteOps>;
export type WriteOp = keyof WriteOps;
