import type { Connection } from "./connection.js";
import { deliveryOps } from "./ops/deliveries.js";
import { eventOps } from "./ops/events.js";

/** The writes the writer thread performs, each one synchronous `BEGIN IMMEDIATE` unit. */
export function createWriteOps(db: Connection) {
  const events = eventOps(db);
  const { insertOne: _insertOne, ...eventWrites } = events;
  return { ...eventWrites, ...deliveryOps(db, events) };
}

export type WriteOps = ReturnType<typeof createWriteOps>;
export type WriteOp = keyof WriteOps;
