import { randomFillSync } from "node:crypto";
import { monotonicFactory } from "ulidx";

// A ULID draws 16 random numbers; one crypto call per id showed up on the ingest hot path, so
// randomness is drawn 16 KiB at a time and handed out from the pool.
const pool = new Uint32Array(4096);
let next = pool.length;
function pooledRandom(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return (pool[next++] as number) / 0x1_0000_0000;
}

let ulid = monotonicFactory(pooledRandom);
let lastTime = 0;

/** A ULID for `now`, monotonic within a millisecond and honest about its time when the clock steps back. */
function ulidAt(now: number): string {
  // A monotonic factory would keep stamping the later time; ids are also time bounds (since, purge).
  if (now < lastTime) ulid = monotonicFactory(pooledRandom);
  lastTime = now;
  return ulid(now);
}

/** A new event id: `evt_` and a ULID, so ids sort by the time they were made. */
export function newEventId(now: number = Date.now()): string {
  return `evt_${ulidAt(now)}`;
}

/** Whether `text` has the form of an event id: `evt_` and a ULID (whose first character is at most 7). */
export function isEventId(text: string): boolean {
  return /^evt_[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(text);
}

/** A new delivery id: `dlv_` and a ULID. */
export function newDeliveryId(now: number = Date.now()): string {
  return `dlv_${ulidAt(now)}`;
}

/** A new deployment action run id: `act_` and a ULID, so runs list newest first by id. */
export function newActionRunId(now: number = Date.now()): string {
  return `act_${ulidAt(now)}`;
}

/** A new id of a report to Vercel on an action run: `rpt_` and a ULID. */
export function newReportId(now: number = Date.now()): string {
  return `rpt_${ulidAt(now)}`;
}
