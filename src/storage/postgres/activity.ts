import { encodeTime } from "ulidx";
import type { DeliveryStatus } from "../../core/delivery-types.js";
import type { MinuteActivity } from "../port.js";
import type { Sql } from "./connection.js";

/** An event id bound for a time: ids are `evt_` and a ULID made at receipt, so they sort by it. */
const idAt = (time: number) => `evt_${encodeTime(Math.max(0, time), 10)}`;

/** A tenant's counts for the console's overview, each one statement on an index. */
export function activityReads(sql: Sql) {
  return {
    async activityByMinute(tenant: string, since: number, until: number): Promise<MinuteActivity[]> {
      // Events by id range (the time bound is an id bound on the unique index), attempts by
      // start time (attempts_started), each attempt's delivery by its unique id for the tenant.
      const rows = await sql<{ m: number; events: number; ok: number; n: number }[]>`
        WITH e AS (
          SELECT received_at / 60000 AS m, count(*)::integer AS n FROM events
          WHERE id >= ${idAt(since)} AND id < ${idAt(until)} AND tenant = ${tenant}
            AND received_at >= ${since} AND received_at < ${until}
          GROUP BY 1
        ), a AS (
          SELECT a.started_at / 60000 AS m, count(*)::integer AS n,
            (count(*) FILTER (WHERE a.status BETWEEN 200 AND 299))::integer AS ok
          FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
          WHERE a.started_at >= ${since} AND a.started_at < ${until} AND d.tenant = ${tenant}
          GROUP BY 1
        )
        SELECT coalesce(e.m, a.m) AS m, coalesce(e.n, 0) AS events, coalesce(a.ok, 0) AS ok,
          coalesce(a.n, 0) AS n
        FROM e FULL JOIN a ON a.m = e.m ORDER BY 1
      `;
      return rows.map((r) => ({
        minute: Number(r.m) * 60_000,
        events: r.events,
        succeeded: r.ok,
        failed: r.n - r.ok,
      }));
    },

    async countDeliveries(tenant: string, status: DeliveryStatus): Promise<number> {
      const [row] = await sql<{ n: number }[]>`
        SELECT count(*)::integer AS n FROM deliveries WHERE tenant = ${tenant} AND status = ${status}
      `;
      return row?.n ?? 0;
    },
  };
}
