import type { RequeueQuery } from "../../port.js";
import type { Sql } from "../connection.js";

/** Makes one of the tenant's deliveries pending and due now; false when it has no such delivery. */
export async function retryDelivery(
  sql: Sql,
  tenant: string,
  id: string,
  now: number,
  deadlineAt: number,
): Promise<boolean> {
  const rows = await sql`
    UPDATE deliveries SET status = 'pending', next_attempt_at = ${now}, next_trigger = 'manual', deadline_at = ${deadlineAt},
      schedule_base = attempts, lease_until = NULL, lease_owner = NULL, updated_at = ${now}
    WHERE tenant = ${tenant} AND id = ${id} RETURNING id
  `;
  return rows.length > 0;
}

/** Puts the tenant's matching finished deliveries back in the queue, in one transaction; counts them on a dry run. */
export async function requeueDeliveries(
  sql: Sql,
  tenant: string,
  q: RequeueQuery,
  now: number,
  deadlineFor: (destination: string) => number,
): Promise<{ matched: number; enqueued: number }> {
  return sql.begin(async (tx) => {
    const where = [tx`d.tenant = ${tenant}`, tx`d.status = ${q.status}`];
    if (q.destination) where.push(tx`d.destination = ${q.destination}`);
    if (q.type) where.push(tx`e.type = ${q.type}`);
    if (q.since !== undefined) where.push(tx`d.updated_at >= ${q.since}`);
    if (q.until !== undefined) where.push(tx`d.updated_at < ${q.until}`);
    const filter = where.reduce((all, clause) => tx`${all} AND ${clause}`);
    if (q.dryRun) {
      // Counted where the rows are: a dry run over every dead letter sends one number, not their ids.
      const [row] = await tx<{ n: number }[]>`
        SELECT count(*)::integer AS n FROM deliveries d JOIN events e ON e.id = d.event_id WHERE ${filter}
      `;
      return { matched: row?.n ?? 0, enqueued: 0 };
    }
    const matched = await tx<{ id: string; destination: string }[]>`
      SELECT d.id, d.destination FROM deliveries d JOIN events e ON e.id = d.event_id WHERE ${filter} FOR UPDATE OF d
    `;
    const deadlines = new Map<string, number>();
    for (const { destination } of matched) {
      if (deadlines.has(destination)) continue;
      const at = deadlineFor(destination);
      if (Number.isFinite(at)) deadlines.set(destination, at); // else a destination no longer configured
    }
    const ids = matched.filter((m) => deadlines.has(m.destination)).map((m) => m.id);
    if (ids.length === 0) return { matched: matched.length, enqueued: 0 };
    const updated = await tx`
      UPDATE deliveries d SET status = 'pending', next_attempt_at = ${now}, next_trigger = 'replay', deadline_at = v.deadline,
        schedule_base = d.attempts, lease_until = NULL, lease_owner = NULL, updated_at = ${now}
      FROM unnest(${[...deadlines.keys()]}::text[], ${[...deadlines.values()]}::bigint[]) AS v(destination, deadline)
      WHERE d.id = ANY(${ids}::text[]) AND d.destination = v.destination
    `;
    return { matched: matched.length, enqueued: updated.count };
  });
}
