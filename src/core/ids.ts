import { monotonicFactory } from "ulidx";

const ulid = monotonicFactory();

/** A new event id: `evt_` and a ULID, so ids sort by the time they were made. */
export function newEventId(now: number = Date.now()): string {
  return `evt_${ulid(now)}`;
}

/** A new delivery id: `dlv_` and a ULID. */
export function newDeliveryId(now: number = Date.now()): string {
  return `dlv_${ulid(now)}`;
}
