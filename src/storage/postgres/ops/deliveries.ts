import { encodeTime } from "ulidx";
import type { ClaimedDelivery, DestinationState } from "../../../core/delivery-types.js";
import type { ClaimRequest, DeliveryOutcome, RequeueQuery } from "../../port.js";
import { type ClaimRow, toClaimed } from "../../rows.js";
import type { Sql, Tx } from "../connection.js";
import { insertEvents } from "./events.js";

/**
 * Claims due pending deliveries under a lease, in one transaction. Rows another node is claiming
 * are skipped (`SKIP LOCKED`); a fifo destination yields only its oldest pending delivery, and
 * nothing while another node holds or is taking it.
 */
export async function claimDeliveries(
  sql: Sql,
  requests: readonly ClaimRequest[],
  now: number,
  leaseUntil: number,
  owner: string,
): Promise<ClaimedDelivery[]> {
  const rows = await sql.begin(async (tx) => {
    const claimed: ClaimRow[] = [];
    for (const r of requests) {
      if (r.limit <= 0) continue;
      // The head is found first and then locked: SKIP LOCKED on the ordered scan would pass over
      // a locked head to the next one and break the order.
      const picked = r.fifo
        ? tx`
            SELECT id FROM deliveries
            WHERE id = (
              SELECT id FROM deliveries WHERE status = 'pending' AND destination = ${r.destination} ORDER BY seq LIMIT 1
            ) AND status = 'pending' AND next_attempt_at <= ${now} AND (lease_until IS NULL OR lease_until < ${now})
            FOR UPDATE SKIP LOCKED`
        : tx`
            SELECT id FROM deliveries
            WHERE status = 'pending' AND destination = ${r.destination} AND next_attempt_at <= ${now}
              AND (lease_until IS NULL OR lease_until < ${now})
            ORDER BY next_attempt_at LIMIT ${r.limit}
            FOR UPDATE SKIP LOCKED`;
      const got = await tx<ClaimRow[]>`
        WITH picked AS (${picked}),
        leased AS (
          UPDATE deliveries d SET lease_until = ${leaseUntil}, lease_owner = ${owner}
          FROM picked WHERE d.id = picked.id
          RETURNING d.seq, d.id, d.tenant, d.event_id, d.destination, d.route, d.attempts, d.schedule_base,
            d.deadline_at, d.next_trigger, d.next_attempt_at
        )
        SELECT l.id, l.tenant, l.event_id, l.destination, l.route, l.attempts, l.schedule_base, l.deadline_at,
          l.next_trigger, e.type, e.source, e.body
        FROM leased l JOIN events e ON e.id = l.event_id
        ORDER BY l.next_attempt_at, l.seq
      `;
      claimed.push(...got);
    }
    return claimed;
  });
  return rows.map((row) => toClaimed(row, leaseUntil));
}

/** Upserts the state of one destination (of the default tenant). */
export async function saveDestinationState(sql: Sql | Tx, s: DestinationState): Promise<void> {
  await sql`
    INSERT INTO destination_state (tenant, destination, state, disabled_reason, consecutive_failures, circuit_open_until,
      circuit_cooldown_ms, last_success_at, last_failure_at)
    VALUES ('default', ${s.destination}, ${s.state}, ${s.disabledReason}, ${s.consecutiveFailures}, ${s.circuitOpenUntil},
      ${s.circuitCooldownMs}, ${s.lastSuccessAt}, ${s.lastFailureAt})
    ON CONFLICT (tenant, destination) DO UPDATE SET state = excluded.state, disabled_reason = excluded.disabled_reason,
      consecutive_failures = excluded.consecutive_failures, circuit_open_until = excluded.circuit_open_until,
      circuit_cooldown_ms = excluded.circuit_cooldown_ms, last_success_at = excluded.last_success_at,
      last_failure_at = excluded.last_failure_at
  `;
}

/** Records attempts, new delivery states, destination states and alerts, in one transaction. */
export async function recordOutcomes(
  sql: Sql,
  outcomes: readonly DeliveryOutcome[],
  now: number,
): Promise<void> {
  await sql.begin(async (tx) => {
    const states = new Map<string, DestinationState>();
    const alerts = [];
    for (const o of outcomes) {
      if (o.attempt) {
        const a = o.attempt;
        await tx`
          INSERT INTO attempts (delivery_id, number, trigger, started_at, duration_ms, status, error, error_message,
            response_headers, response_body)
          VALUES (${o.deliveryId}, ${a.number}, ${a.trigger}, ${a.startedAt}, ${a.durationMs}, ${a.status}, ${a.error},
            ${a.errorMessage}, ${a.responseHeaders ? JSON.stringify(a.responseHeaders) : null}, ${a.responseBody})
        `;
      }
      await tx`
        UPDATE deliveries SET status = ${o.status}, attempts = attempts + ${o.attempt ? 1 : 0},
          next_attempt_at = ${o.nextAttemptAt}, next_trigger = 'retry', lease_until = NULL, lease_owner = NULL,
          updated_at = ${now}, last_status = coalesce(${o.lastStatus}::integer, last_status), last_error = ${o.lastError},
          transform = coalesce(${o.transform ?? null}::text, transform)
        WHERE id = ${o.deliveryId}
      `;
      if (o.destinationState) states.set(o.destinationState.destination, o.destinationState);
      if (o.alert) alerts.push(o.alert);
    }
    // Outcomes come in order, so the last state of each destination is its state now.
    for (const state of states.values()) await saveDestinationState(tx, state);
    if (alerts.length > 0) await insertEvents(tx, alerts);
  });
}

/** Ends the leases of `owner`, or every lease when `owner` is null. */
export async function releaseLeases(sql: Sql, owner: string | null): Promise<void> {
  if (owner === null) {
    await sql`UPDATE deliveries SET lease_until = NULL, lease_owner = NULL WHERE lease_until IS NOT NULL`;
  } else {
    await sql`UPDATE deliveries SET lease_until = NULL, lease_owner = NULL WHERE lease_owner = ${owner}`;
  }
}

/** Makes a delivery pending and due now; false when there is no such delivery. */
export async function retryDelivery(sql: Sql, id: string, now: number, deadlineAt: number): Promise<boolean> {
  const rows = await sql`
    UPDATE deliveries SET status = 'pending', next_attempt_at = ${now}, next_trigger = 'manual', deadline_at = ${deadlineAt},
      schedule_base = attempts, lease_until = NULL, lease_owner = NULL, updated_at = ${now}
    WHERE id = ${id} RETURNING id
  `;
  return rows.length > 0;
}

/** Puts matching finished deliveries back in the queue, in one transaction; counts them on a dry run. */
export async function requeueDeliveries(
  sql: Sql,
  q: RequeueQuery,
  now: number,
  deadlineFor: (destination: string) => number,
): Promise<{ matched: number; enqueued: number }> {
  return sql.begin(async (tx) => {
    const where = [tx`d.status = ${q.status}`];
    if (q.destination) where.push(tx`d.destination = ${q.destination}`);
    if (q.type) where.push(tx`e.type = ${q.type}`);
    if (q.since !== undefined) where.push(tx`d.updated_at >= ${q.since}`);
    if (q.until !== undefined) where.push(tx`d.updated_at < ${q.until}`);
    const filter = where.reduce((all, clause) => tx`${all} AND ${clause}`);
    const matched = await tx<{ id: string; destination: string }[]>`
      SELECT d.id, d.destination FROM deliveries d JOIN events e ON e.id = d.event_id WHERE ${filter}
      ${q.dryRun ? tx`` : tx`FOR UPDATE OF d`}
    `;
    if (q.dryRun) return { matched: matched.length, enqueued: 0 };
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

/** The advisory lock of the retention purge (with the schema as second key). */
const PURGE_LOCK = 0x5357_5052;

/** Deletes finished deliveries, their attempts and events older than `cutoff` that no delivery needs. */
export async function purge(sql: Sql, cutoff: number): Promise<{ events: number; deliveries: number }> {
  return sql.begin(async (tx) => {
    // One node purges at a time; the others find the lock taken and skip this pass.
    const [lock] = await tx<{ got: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(${PURGE_LOCK}, hashtext(current_schema())) AS got
    `;
    if (!lock?.got) return { events: 0, deliveries: 0 };
    await tx`
      DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE status <> 'pending' AND updated_at < ${cutoff})
    `;
    const d = await tx`DELETE FROM deliveries WHERE status <> 'pending' AND updated_at < ${cutoff}`;
    // Ids are ULIDs made at receipt, so the time bound is an id bound on the unique index.
    const e = await tx`
      DELETE FROM events WHERE id < ${`evt_${encodeTime(Math.max(0, cutoff), 10)}`} AND received_at < ${cutoff}
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id)
    `;
    return { events: e.count, deliveries: d.count };
  });
}
