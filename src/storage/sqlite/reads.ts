import type { AttemptRecord, DeliveryRecord, DestinationState } from "../../core/delivery-types.js";
import type { StoredEvent } from "../../core/types.js";
import type { DeliveryQuery, DestinationKey, QueueStats, RecentAttempt, RequeueQuery } from "../port.js";
import {
  type AttemptRow,
  type DeliveryRow,
  type EventRow,
  type RecentAttemptRow,
  type StateRow,
  toAttempt,
  toDelivery,
  toRecentAttempt,
  toState,
  toSummary,
} from "../rows.js";
import { boundLimit, type Connection } from "./connection.js";
import { eventList, SUMMARY_COLUMNS } from "./event-list.js";
import { requeueSelection } from "./ops/requeue.js";

// CROSS JOIN: SQLite then always walks deliveries first (their indexes give the order and the
// tenant) and looks each event up by id; left to choose, it may walk events and sort.
const SELECT_DELIVERY = `
  SELECT d.id, d.tenant, d.event_id, e.type, d.destination, d.routes, d.route, d.transform, d.status, d.attempts, d.next_attempt_at,
    d.deadline_at, d.next_trigger, d.created_at, d.updated_at, d.last_status, d.last_error
  FROM deliveries d CROSS JOIN events e ON e.id = d.event_id`;

export { SUMMARY_COLUMNS } from "./event-list.js";

/** Reads of events, deliveries and destination states, on the read-only connection. */
export function reads(db: Connection) {
  const one = db.prepare(`${SELECT_DELIVERY} WHERE d.tenant = ? AND d.id = ?`);
  const attempts = db.prepare("SELECT * FROM attempts WHERE delivery_id = ? ORDER BY number");
  const states = db.prepare("SELECT * FROM destination_state WHERE tenant = ?");
  const allStates = db.prepare("SELECT * FROM destination_state");
  const pendingOf = db.prepare(
    "SELECT destination, count(*) AS n FROM deliveries WHERE tenant = ? AND status = 'pending' GROUP BY destination",
  );
  // By start time (attempts_started), each attempt's delivery by its unique id for the tenant.
  // CROSS JOIN keeps attempts the outer walk: SQLite would otherwise start from the tenant's
  // deliveries (all of them) and sort their attempts.
  const recent = db.prepare(`
    SELECT d.destination, a.started_at, a.duration_ms, a.status, a.error, a.error_message
    FROM attempts a CROSS JOIN deliveries d ON d.id = a.delivery_id
    WHERE a.started_at >= ? AND d.tenant = ? ORDER BY a.started_at DESC LIMIT ${boundLimit("?")}`);
  const seqOf = db.prepare("SELECT seq FROM deliveries WHERE tenant = ? AND id = ?").pluck();
  const firstDue = db
    .prepare(
      "SELECT next_attempt_at FROM deliveries WHERE status = 'pending' AND tenant = ? AND destination = ? AND lease_until IS NULL ORDER BY next_attempt_at LIMIT 1",
    )
    .pluck();

  // Queue stats, read at every /metrics scrape on the thread that answers requests: each count
  // costs what it counts, except the one count of every delivery, which walks the smallest index
  // without reading a row.
  const countAll = db.prepare("SELECT count(*) FROM deliveries").pluck();
  // The tenants that have deliveries, one step of (tenant, status, seq) each.
  const firstTenant = db.prepare("SELECT tenant FROM deliveries ORDER BY tenant LIMIT 1").pluck();
  const nextTenant = db
    .prepare("SELECT tenant FROM deliveries WHERE tenant > ? ORDER BY tenant LIMIT 1")
    .pluck();
  const countOf = db.prepare("SELECT count(*) FROM deliveries WHERE tenant = ? AND status = ?").pluck();
  // The waiting deliveries of each destination, in the order of the pending index (no sort), with
  // the first stored of them: a delivery is stamped as it is planned and stored in the order it
  // was planned, so that one is the group's oldest (to the milliseconds between the two).
  const pendingGroups = db.prepare(
    "SELECT destination, count(*) AS n, min(seq) AS first FROM deliveries WHERE status = 'pending' GROUP BY tenant, destination",
  );
  const createdAt = db.prepare("SELECT created_at FROM deliveries WHERE seq = ?").pluck();
  /**
   * Deliveries by status, in one read transaction (one snapshot). Waiting ones are counted by
   * destination, dead and skipped ones tenant by tenant (a range of the status index each); the
   * succeeded, which are most of a store that keeps its history, are what is left of the total.
   * A million stored deliveries take ~12 ms (~60 before), a million waiting ones ~85 (~560):
   * `npm run bench:queue-stats`.
   */
  const queueStatsRead = db.transaction((): QueueStats => {
    const byStatus = { pending: 0, succeeded: 0, failed: 0, skipped: 0 };
    const pendingByDestination: Record<string, number> = {};
    let oldest: number | null = null;
    for (const g of pendingGroups.all() as { destination: string; n: number; first: number }[]) {
      byStatus.pending += g.n;
      pendingByDestination[g.destination] = (pendingByDestination[g.destination] ?? 0) + g.n;
      const at = createdAt.get(g.first) as number;
      if (oldest === null || at < oldest) oldest = at;
    }
    for (
      let tenant = firstTenant.get() as string | undefined;
      tenant !== undefined;
      tenant = nextTenant.get(tenant) as string | undefined
    ) {
      byStatus.failed += countOf.get(tenant, "failed") as number;
      byStatus.skipped += countOf.get(tenant, "skipped") as number;
    }
    byStatus.succeeded = (countAll.get() as number) - byStatus.pending - byStatus.failed - byStatus.skipped;
    return { byStatus, pendingByDestination, oldestPendingCreatedAt: oldest };
  });

  return {
    ...eventList(db),

    getEvent(tenant: string, id: string): StoredEvent | null {
      const row = db
        .prepare(`SELECT ${SUMMARY_COLUMNS}, body FROM events WHERE tenant = ? AND id = ?`)
        .get(tenant, id) as EventRow | undefined;
      return row ? { ...toSummary(row), body: row.body as Buffer } : null;
    },

    listDeliveries(tenant: string, q: DeliveryQuery): DeliveryRecord[] {
      // Without a status or an event, no index has the tenant and the order together: walk
      // deliveries newest first (by seq, the rowid) and stop at the page's end, rather than read
      // all the tenant's deliveries through (tenant, status, seq) and sort them.
      const walk = q.status === undefined && q.eventId === undefined;
      const where: string[] = [walk ? "+d.tenant = @tenant" : "d.tenant = @tenant"];
      const params: Record<string, unknown> = { tenant, limit: q.limit };
      if (q.status) {
        where.push("d.status = @status");
        params.status = q.status;
      }
      if (q.destination) {
        where.push("d.destination = @destination");
        params.destination = q.destination;
      }
      if (q.eventId) {
        where.push("d.event_id = @eventId");
        params.eventId = q.eventId;
      }
      if (q.type) {
        where.push("e.type = @type");
        params.type = q.type;
      }
      if (q.since !== undefined) {
        where.push("d.updated_at >= @since");
        params.since = q.since;
      }
      if (q.until !== undefined) {
        where.push("d.updated_at < @until");
        params.until = q.until;
      }
      if (q.before) {
        where.push("d.seq < @before");
        params.before = (seqOf.get(tenant, q.before) as number | undefined) ?? 0;
      }
      const sql = `${SELECT_DELIVERY} WHERE ${where.join(" AND ")} ORDER BY d.seq DESC LIMIT ${boundLimit("@limit")}`;
      return (db.prepare(sql).all(params) as DeliveryRow[]).map(toDelivery);
    },

    /** How many of the tenant's deliveries a bulk replay would take (its dry run). */
    countRequeue(tenant: string, q: Omit<RequeueQuery, "dryRun">): number {
      const { from, params } = requeueSelection(tenant, q);
      return db.prepare(`SELECT count(*) ${from}`).pluck().get(params) as number;
    },

    getDelivery(tenant: string, id: string): { delivery: DeliveryRecord; attempts: AttemptRecord[] } | null {
      const row = one.get(tenant, id) as DeliveryRow | undefined;
      if (!row) return null;
      return { delivery: toDelivery(row), attempts: (attempts.all(id) as AttemptRow[]).map(toAttempt) };
    },

    nextDueAt(destinations: readonly DestinationKey[]): number | null {
      let min: number | null = null;
      for (const d of destinations) {
        const at = firstDue.get(d.tenant, d.destination) as number | undefined;
        if (at !== undefined && (min === null || at < min)) min = at;
      }
      return min;
    },

    pendingByDestination(tenant: string): Record<string, number> {
      const out: Record<string, number> = {};
      for (const r of pendingOf.all(tenant) as { destination: string; n: number }[]) out[r.destination] = r.n;
      return out;
    },

    recentAttempts(tenant: string, since: number, limit: number): RecentAttempt[] {
      return (recent.all(since, tenant, limit) as RecentAttemptRow[]).map(toRecentAttempt);
    },

    listAllDestinationStates(): DestinationState[] {
      return (allStates.all() as StateRow[]).map(toState);
    },

    listDestinationStates(tenant: string): DestinationState[] {
      return (states.all(tenant) as StateRow[]).map(toState);
    },

    queueStats(): QueueStats {
      return queueStatsRead();
    },
  };
}
