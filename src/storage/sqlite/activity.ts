import { encodeTime } from "ulidx";
import type { DeliveryStatus } from "../../core/delivery-types.js";
import type { MinuteActivity } from "../port.js";
import type { Connection } from "./connection.js";

/** An event id bound for a time: ids are `evt_` and a ULID made at receipt, so they sort by it. */
const idAt = (time: number) => `evt_${encodeTime(Math.max(0, time), 10)}`;

/** A tenant's counts for the console's overview, each on an index. */
export function activityReads(db: Connection) {
  // By id range (the events' unique index): the time bound is an id bound. `+tenant` keeps the
  // planner off (tenant, seq), which would walk every event the tenant has.
  const events = db.prepare(`
    SELECT received_at / 60000 AS m, count(*) AS n FROM events
    WHERE id >= ? AND id < ? AND +tenant = ? AND received_at >= ? AND received_at < ?
    GROUP BY m`);
  // By start time (attempts_started), attempts first (CROSS JOIN fixes the order), each one's
  // delivery by its unique id for the tenant.
  const attempts = db.prepare(`
    SELECT a.started_at / 60000 AS m,
      sum(CASE WHEN a.status BETWEEN 200 AND 299 THEN 1 ELSE 0 END) AS ok, count(*) AS n
    FROM attempts a CROSS JOIN deliveries d ON d.id = a.delivery_id
    WHERE a.started_at >= ? AND a.started_at < ? AND d.tenant = ?
    GROUP BY m`);
  const byStatus = db.prepare("SELECT count(*) FROM deliveries WHERE tenant = ? AND status = ?").pluck();

  return {
    activityByMinute(tenant: string, since: number, until: number): MinuteActivity[] {
      const minutes = new Map<number, MinuteActivity>();
      const at = (m: number) => {
        let found = minutes.get(m);
        if (!found) {
          found = { minute: m * 60_000, events: 0, succeeded: 0, failed: 0 };
          minutes.set(m, found);
        }
        return found;
      };
      for (const r of events.all(idAt(since), idAt(until), tenant, since, until) as {
        m: number;
        n: number;
      }[])
        at(r.m).events = r.n;
      for (const r of attempts.all(since, until, tenant) as { m: number; ok: number; n: number }[]) {
        const minute = at(r.m);
        minute.succeeded = r.ok;
        minute.failed = r.n - r.ok;
      }
      return [...minutes.values()].sort((a, b) => a.minute - b.minute);
    },

    countDeliveries(tenant: string, status: DeliveryStatus): number {
      return byStatus.get(tenant, status) as number;
    },
  };
}
