import type { AttemptRecord, DeliveryRecord, DestinationState } from "../../../core/delivery-types.js";
import type { DeliveryQuery, QueueStats } from "../../port.js";
import {
  type AttemptRow,
  type DeliveryRow,
  type StateRow,
  toAttempt,
  toDelivery,
  toState,
} from "../../rows.js";
import type { Connection } from "../connection.js";

const SELECT_DELIVERY = `
  SELECT d.id, d.tenant, d.event_id, e.type, d.destination, d.routes, d.route, d.transform, d.status, d.attempts, d.next_attempt_at,
    d.deadline_at, d.next_trigger, d.created_at, d.updated_at, d.last_status, d.last_error
  FROM deliveries d JOIN events e ON e.id = d.event_id`;

/** Delivery reads on the read-only connection. */
export function deliveryReads(db: Connection) {
  const one = db.prepare(`${SELECT_DELIVERY} WHERE d.id = ?`);
  const attempts = db.prepare("SELECT * FROM attempts WHERE delivery_id = ? ORDER BY number");
  const states = db.prepare("SELECT * FROM destination_state WHERE tenant = 'default'");
  const seqOf = db.prepare("SELECT seq FROM deliveries WHERE id = ?").pluck();
  const firstDue = db
    .prepare(
      "SELECT next_attempt_at FROM deliveries WHERE status = 'pending' AND destination = ? AND lease_until IS NULL ORDER BY next_attempt_at LIMIT 1",
    )
    .pluck();

  return {
    listDeliveries(q: DeliveryQuery): DeliveryRecord[] {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: q.limit };
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
      if (q.before) {
        where.push("d.seq < @before");
        params.before = (seqOf.get(q.before) as number | undefined) ?? 0;
      }
      const sql = `${SELECT_DELIVERY} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY d.seq DESC LIMIT @limit`;
      return (db.prepare(sql).all(params) as DeliveryRow[]).map(toDelivery);
    },

    getDelivery(id: string): { delivery: DeliveryRecord; attempts: AttemptRecord[] } | null {
      const row = one.get(id) as DeliveryRow | undefined;
      if (!row) return null;
      return { delivery: toDelivery(row), attempts: (attempts.all(id) as AttemptRow[]).map(toAttempt) };
    },

    nextDueAt(destinations: readonly string[]): number | null {
      let min: number | null = null;
      for (const d of destinations) {
        const at = firstDue.get(d) as number | undefined;
        if (at !== undefined && (min === null || at < min)) min = at;
      }
      return min;
    },

    getDestinationStates(): DestinationState[] {
      return (states.all() as StateRow[]).map(toState);
    },

    queueStats(): QueueStats {
      const byStatus = { pending: 0, succeeded: 0, failed: 0, skipped: 0 };
      for (const r of db.prepare("SELECT status, count(*) AS n FROM deliveries GROUP BY status").all() as {
        status: keyof typeof byStatus;
        n: number;
      }[]) {
        byStatus[r.status] = r.n;
      }
      const pendingByDestination: Record<string, number> = {};
      for (const r of db
        .prepare(
          "SELECT destination, count(*) AS n FROM deliveries WHERE status = 'pending' GROUP BY destination",
        )
        .all() as { destination: string; n: number }[]) {
        pendingByDestination[r.destination] = r.n;
      }
      const oldest = db
        .prepare("SELECT min(created_at) FROM deliveries WHERE status = 'pending'")
        .pluck()
        .get() as number | null;
      return { byStatus, pendingByDestination, oldestPendingCreatedAt: oldest };
    },
  };
}
