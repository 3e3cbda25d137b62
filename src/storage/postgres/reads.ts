import type { AttemptRecord, DeliveryRecord, DestinationState } from "../../core/delivery-types.js";
import type { StoredEvent } from "../../core/types.js";
import type { DeliveryQuery, DestinationKey, QueueStats, RecentAttempt } from "../port.js";
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
import { bodyBytes } from "./body.js";
import type { Fragment, Sql } from "./connection.js";
import { eventList } from "./event-list.js";

/** Reads of events, deliveries and destination states; each one statement. */
export function reads(sql: Sql) {
  const summary = sql`id, tenant, source, external_id, type, original_type, received_at, unknown_type, schema_issues`;
  const selectDelivery = sql`
    SELECT d.id, d.tenant, d.event_id, e.type, d.destination, d.routes, d.route, d.transform, d.status, d.attempts, d.next_attempt_at,
      d.deadline_at, d.next_trigger, d.created_at, d.updated_at, d.last_status, d.last_error
    FROM deliveries d JOIN events e ON e.id = d.event_id`;
  const and = (clauses: Fragment[]) =>
    clauses.length === 0 ? sql`` : sql`WHERE ${clauses.reduce((all, c) => sql`${all} AND ${c}`)}`;

  return {
    ...eventList(sql),

    async getEvent(tenant: string, id: string): Promise<StoredEvent | null> {
      const [row] = await sql<(EventRow & { body: Buffer | null; body_text: string | null })[]>`
        SELECT ${summary}, body, body_text FROM events WHERE tenant = ${tenant} AND id = ${id}
      `;
      return row ? { ...toSummary(row), body: bodyBytes(row) } : null;
    },

    async listDeliveries(tenant: string, q: DeliveryQuery): Promise<DeliveryRecord[]> {
      const where: Fragment[] = [sql`d.tenant = ${tenant}`];
      if (q.status) where.push(sql`d.status = ${q.status}`);
      if (q.destination) where.push(sql`d.destination = ${q.destination}`);
      if (q.eventId) where.push(sql`d.event_id = ${q.eventId}`);
      if (q.type) where.push(sql`e.type = ${q.type}`);
      if (q.since !== undefined) where.push(sql`d.updated_at >= ${q.since}`);
      if (q.until !== undefined) where.push(sql`d.updated_at < ${q.until}`);
      if (q.before) {
        where.push(
          sql`d.seq < coalesce((SELECT seq FROM deliveries WHERE tenant = ${tenant} AND id = ${q.before}), 0)`,
        );
      }
      const rows = await sql<DeliveryRow[]>`
        ${selectDelivery} ${and(where)} ORDER BY d.seq DESC LIMIT ${q.limit}
      `;
      return rows.map(toDelivery);
    },

    async getDelivery(
      tenant: string,
      id: string,
    ): Promise<{ delivery: DeliveryRecord; attempts: AttemptRecord[] } | null> {
      const [row] = await sql<DeliveryRow[]>`${selectDelivery} WHERE d.tenant = ${tenant} AND d.id = ${id}`;
      if (!row) return null;
      const attempts = await sql<
        AttemptRow[]
      >`SELECT * FROM attempts WHERE delivery_id = ${id} ORDER BY number`;
      return {
        delivery: toDelivery(row),
        attempts: attempts.map(toAttempt),
      };
    },

    async nextDueAt(destinations: readonly DestinationKey[]): Promise<number | null> {
      if (destinations.length === 0) return null;
      // Per destination, the first unleased row in due order: an index walk however long the queue.
      const [row] = await sql<{ at: number | null }[]>`
        SELECT min(n.at) AS at
        FROM unnest(${destinations.map((d) => d.tenant)}::text[], ${destinations.map((d) => d.destination)}::text[])
          AS dest(tenant, name)
        CROSS JOIN LATERAL (
          SELECT next_attempt_at AS at FROM deliveries
          WHERE status = 'pending' AND tenant = dest.tenant AND destination = dest.name AND lease_until IS NULL
          ORDER BY next_attempt_at LIMIT 1
        ) n
      `;
      return row?.at ?? null;
    },

    async pendingByDestination(tenant: string): Promise<Record<string, number>> {
      const rows = await sql<{ destination: string; n: number }[]>`
        SELECT destination, count(*)::integer AS n FROM deliveries
        WHERE tenant = ${tenant} AND status = 'pending' GROUP BY destination
      `;
      return Object.fromEntries(rows.map((r) => [r.destination, r.n]));
    },

    async recentAttempts(tenant: string, since: number, limit: number): Promise<RecentAttempt[]> {
      // By start time (attempts_started), each attempt's delivery by its unique id for the tenant.
      const rows = await sql<RecentAttemptRow[]>`
        SELECT d.destination, a.started_at, a.duration_ms, a.status, a.error, a.error_message
        FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
        WHERE a.started_at >= ${since} AND d.tenant = ${tenant} ORDER BY a.started_at DESC LIMIT ${limit}
      `;
      return rows.map(toRecentAttempt);
    },

    async listAllDestinationStates(): Promise<DestinationState[]> {
      return (await sql<StateRow[]>`SELECT * FROM destination_state`).map(toState);
    },

    async listDestinationStates(tenant: string): Promise<DestinationState[]> {
      const rows = await sql<StateRow[]>`SELECT * FROM destination_state WHERE tenant = ${tenant}`;
      return rows.map(toState);
    },

    async queueStats(): Promise<QueueStats> {
      const byStatus = { pending: 0, succeeded: 0, failed: 0, skipped: 0 };
      const counts = await sql<{ status: keyof typeof byStatus; n: number }[]>`
        SELECT status, count(*) AS n FROM deliveries GROUP BY status
      `;
      for (const r of counts) byStatus[r.status] = r.n;
      const pendingByDestination: Record<string, number> = {};
      const pending = await sql<{ destination: string; n: number }[]>`
        SELECT destination, count(*) AS n FROM deliveries WHERE status = 'pending' GROUP BY destination
      `;
      for (const r of pending) pendingByDestination[r.destination] = r.n;
      const [oldest] = await sql<{ at: number | null }[]>`
        SELECT min(created_at) AS at FROM deliveries WHERE status = 'pending'
      `;
      return { byStatus, pendingByDestination, oldestPendingCreatedAt: oldest?.at ?? null };
    },
  };
}
