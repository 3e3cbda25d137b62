import type { RequeueQuery } from "../../port.js";
import type { Connection } from "../connection.js";

/**
 * The FROM and WHERE of the tenant's deliveries a bulk replay takes, with their parameters:
 * walked through (tenant, status, seq), each event looked up by id for its type.
 */
export function requeueSelection(tenant: string, q: Omit<RequeueQuery, "dryRun">) {
  const where = ["d.tenant = @tenant", "d.status = @status"];
  if (q.destination) where.push("d.destination = @destination");
  if (q.type) where.push("e.type = @type");
  if (q.since !== undefined) where.push("d.updated_at >= @since");
  if (q.until !== undefined) where.push("d.updated_at < @until");
  const params = {
    tenant,
    status: q.status,
    destination: q.destination,
    type: q.type,
    since: q.since,
    until: q.until,
  };
  return {
    from: `FROM deliveries d CROSS JOIN events e ON e.id = d.event_id WHERE ${where.join(" AND ")}`,
    params,
  };
}

/** Manual retries and bulk replays: finished deliveries made pending again. */
export function requeueOps(db: Connection) {
  const retry = db.prepare(`
    UPDATE deliveries SET status = 'pending', next_attempt_at = ?, next_trigger = 'manual', deadline_at = ?, schedule_base = attempts,
      lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE tenant = ? AND id = ? RETURNING id
  `);

  const requeue = db.transaction(
    (tenant: string, q: RequeueQuery, now: number, deadlines: Record<string, number>) => {
      const { from, params } = requeueSelection(tenant, q);
      const ids = db.prepare(`SELECT d.id, d.destination ${from}`).all(params) as {
        id: string;
        destination: string;
      }[];
      if (q.dryRun) return { matched: ids.length, enqueued: 0 };
      const update = db.prepare(`
      UPDATE deliveries SET status = 'pending', next_attempt_at = ?, next_trigger = 'replay', deadline_at = ?, schedule_base = attempts,
        lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE id = ?
    `);
      let enqueued = 0;
      for (const { id, destination } of ids) {
        const deadline = deadlines[destination];
        if (deadline === undefined) continue; // a destination no longer configured
        update.run(now, deadline, now, id);
        enqueued++;
      }
      return { matched: ids.length, enqueued };
    },
  );

  return {
    retryDelivery: (tenant: string, id: string, now: number, deadlineAt: number) =>
      retry.get(now, deadlineAt, now, tenant, id) !== undefined,
    requeueDeliveries: (tenant: string, q: RequeueQuery, now: number, deadlines: Record<string, number>) =>
      requeue.immediate(tenant, q, now, deadlines),
  };
}
