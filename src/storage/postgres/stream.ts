import { encodeTime } from "ulidx";
import type { StreamPage, StreamPosition } from "../port.js";
import { type EventRow, toSummary } from "../rows.js";
import { earlierPosition, laterPosition, xactOf, xactPosition } from "../stream-positions.js";
import type { Sql } from "./connection.js";

/** How many events after a time are looked at to find the first in stream order (see `positionAt`). */
const SINCE_WINDOW = 1000;

/**
 * A tenant's events in stream order on PostgreSQL.
 *
 * Not in seq order: a bigserial is drawn when a row is inserted, not when its transaction
 * commits, and nodes commit side by side, so a reader that has read seq 10 can later see seq 9
 * commit. Nor in seq order below a horizon: a running transaction's rows cannot be seen, and it
 * may draw its seq before it even has a transaction id, so nothing tells a reader where seq 9 is.
 *
 * Each event carries the 64-bit id of the transaction that stored it (`xact`, from
 * pg_current_xact_id(): an xid8, which never wraps). The snapshot's xmin is the oldest
 * transaction still running: every transaction below it has ended, and every transaction that
 * stores an event from now on has, or will be given, an id at or above it. So the events whose
 * xact is below xmin are final, and the statement that reads xmin sees all of them. Read in
 * (xact, seq) order and only below xmin, a reader that goes on from the last (xact, seq) it read,
 * or from (xmin, 0) once it has read everything below, misses no event and sees none twice.
 *
 * The cost is latency: an event waits until every transaction older than its own has ended, on
 * the whole server (transaction ids are the cluster's). Ingest's last milliseconds; a session
 * left idle in a transaction that wrote, in any database of the server, holds streams back until
 * it ends.
 */
export function streamReads(sql: Sql) {
  const columns = sql`xact, seq, id, tenant, source, external_id, type, original_type, received_at, unknown_type, schema_issues`;
  const summary = sql`e.id, e.tenant, e.source, e.external_id, e.type, e.original_type, e.received_at, e.unknown_type, e.schema_issues`;
  // The statement's own snapshot: what it reads and the xmin it compares with are one view.
  const horizon = sql`(SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) h`;
  const horizonPosition = (xmin: string) => xactPosition(xmin, 0);

  return {
    /** (xmin, 0): every event stored from now on is at or after it. */
    async head(): Promise<StreamPosition> {
      const [row] = await sql<{ xmin: string }[]>`SELECT h.xmin::text AS xmin FROM ${horizon}`;
      return horizonPosition((row as { xmin: string }).xmin);
    },

    async read(tenant: string, from: StreamPosition, limit: number): Promise<StreamPage> {
      const { xact, seq } = xactOf(from);
      const rows = await sql<(EventRow & { xmin: string; xact: string | null; seq: number | null })[]>`
        SELECT h.xmin::text AS xmin, e.xact::text AS xact, e.seq, ${summary}
        FROM ${horizon}
        LEFT JOIN LATERAL (
          SELECT ${columns} FROM events
          WHERE tenant = ${tenant} AND (xact, seq) > (${xact}::xid8, ${seq}::bigint) AND xact < h.xmin
          ORDER BY xact, seq LIMIT ${limit}
        ) e ON true
      `;
      const xmin = (rows[0] as { xmin: string }).xmin;
      const events = rows
        .filter((row) => row.xact !== null && row.seq !== null)
        .map((row) => ({
          event: toSummary(row),
          position: xactPosition(row.xact as string, row.seq as number),
        }));
      const last = events.at(-1)?.position ?? from;
      return {
        events,
        reached: events.length === limit ? last : laterPosition(from, horizonPosition(xmin)),
      };
    },

    async positionOf(tenant: string, id: string): Promise<StreamPosition | null> {
      const [row] = await sql<{ xact: string; seq: number }[]>`
        SELECT xact::text AS xact, seq FROM events WHERE tenant = ${tenant} AND id = ${id}
      `;
      return row ? xactPosition(row.xact, row.seq) : null;
    },

    /**
     * Just before the first (in stream order) of the tenant's events received at or after `time`,
     * and never after (xmin, 0), where events still being committed will be. Ids are ULIDs made
     * at receipt, so those events are found on the id index; stream order differs from id order
     * by the events in flight together, so the first is looked for among SINCE_WINDOW of them.
     */
    async positionAt(tenant: string, time: number): Promise<StreamPosition> {
      const [row] = await sql<{ xmin: string; xact: string | null; seq: number | null }[]>`
        SELECT h.xmin::text AS xmin, f.xact::text AS xact, f.seq
        FROM ${horizon}
        LEFT JOIN LATERAL (
          SELECT w.xact, w.seq FROM (
            SELECT xact, seq FROM events WHERE tenant = ${tenant} AND id >= ${`evt_${encodeTime(time, 10)}`}
            ORDER BY id LIMIT ${SINCE_WINDOW}
          ) w ORDER BY w.xact, w.seq LIMIT 1
        ) f ON true
      `;
      const { xmin, xact, seq } = row as { xmin: string; xact: string | null; seq: number | null };
      const now = horizonPosition(xmin);
      return xact === null || seq === null ? now : earlierPosition(xactPosition(xact, seq - 1), now);
    },
  };
}
