import { encodeTime } from "ulidx";
import { claimBudget, heldUntil } from "../../../core/claim-budget.js";
import type { AttemptRecord, DestinationState } from "../../../core/delivery-types.js";
import {
  applyDestinationChange,
  type DestinationChange,
  initialDestinationState,
} from "../../../core/destination-state.js";
import { fullBucket, msUntilToken, refillBucket, takeTokens, tokensIn } from "../../../core/rate-limit.js";
import type {
  ClaimRequest,
  ClaimResult,
  DeliveryOutcome,
  HeldDestination,
  RequeueQuery,
} from "../../port.js";
import { type ClaimRow, type StateRow, toClaimed, toState } from "../../rows.js";
import { bodyBytes } from "../body.js";
import type { Sql, Tx } from "../connection.js";
import { insertEvents } from "./events.js";

/** A claimed row with its event's body in whichever column holds it. */
type PgClaimRow = Omit<ClaimRow, "body"> & { body: Buffer | null; body_text: string | null };

interface LimitRow extends StateRow {
  rate_level: number | null;
  rate_at: number | null;
}

/**
 * Claims due pending deliveries under a lease, in one transaction, holding every destination to
 * its limits across all nodes: the destinations' state rows are locked (in name order, so claims
 * never deadlock), leases in flight on any node are counted, and the shared rate-limit bucket is
 * drawn down by what is taken. Delivery rows another transaction holds are skipped (`SKIP LOCKED`);
 * a fifo destination yields only its oldest pending delivery, and nothing while it is in flight.
 */
export async function claimDeliveries(
  sql: Sql,
  requests: readonly ClaimRequest[],
  now: number,
  leaseUntil: number,
  owner: string,
): Promise<ClaimResult> {
  const wanted = requests.filter((r) => r.limit > 0).sort((x, y) => (x.destination < y.destination ? -1 : 1));
  if (wanted.length === 0) return { deliveries: [], held: [], states: [] };
  const names = wanted.map((r) => r.destination);
  const result = await sql.begin(async (tx) => {
    // A lease lost in a server crash only means the delivery is claimed again: no WAL flush wait.
    // One round trip: ensure the rows, lock them, then count. Pipelined statements run in order,
    // and the count, a statement of its own started after the locks, sees every lease that a
    // claim holding them before this one committed.
    const [, , limits, inFlight] = await Promise.all([
      tx`SET LOCAL synchronous_commit = off`,
      tx`
        INSERT INTO destination_state (tenant, destination) SELECT 'default', unnest(${names}::text[])
        ON CONFLICT (tenant, destination) DO NOTHING
      `,
      tx<LimitRow[]>`
        SELECT * FROM destination_state WHERE tenant = 'default' AND destination = ANY(${names}::text[])
        ORDER BY destination FOR UPDATE
      `,
      tx<{ destination: string; n: number }[]>`
        SELECT destination, count(*)::integer AS n FROM deliveries
        WHERE destination = ANY(${names}::text[]) AND lease_until >= ${now} GROUP BY destination
      `,
    ]);
    const counts = new Map(inFlight.map((r) => [r.destination, r.n]));
    const byName = new Map(limits.map((row) => [row.destination, row]));
    const claimed: PgClaimRow[] = [];
    const held: HeldDestination[] = [];
    for (const r of wanted) {
      const row = byName.get(r.destination) as LimitRow;
      const state = toState(row);
      const bucket = r.rate
        ? refillBucket(
            r.rate,
            row.rate_level === null || row.rate_at === null
              ? fullBucket(r.rate, now)
              : { level: row.rate_level, at: row.rate_at },
            now,
          )
        : null;
      const tokens = r.rate && bucket ? tokensIn(r.rate, bucket) : null;
      const budget = Math.min(
        r.limit,
        claimBudget({
          maxConcurrency: r.maxConcurrency,
          fifo: r.fifo,
          state,
          inFlight: counts.get(r.destination) ?? 0,
          tokens,
          now,
        }),
      );
      if (budget <= 0) {
        const wait = r.rate && bucket ? msUntilToken(r.rate, bucket) : null;
        held.push({ destination: r.destination, until: heldUntil(state, wait, now) });
        continue;
      }
      const got = r.fifo ? await claimFifoHead(tx, r.destination, now, leaseUntil, owner) : null;
      if (got && "until" in got) {
        held.push({ destination: r.destination, until: got.until });
        continue;
      }
      const rows = got ? got.rows : await claimDue(tx, r.destination, budget, now, leaseUntil, owner);
      claimed.push(...rows);
      if (r.rate && bucket && rows.length > 0) {
        const after = takeTokens(r.rate, bucket, rows.length);
        await tx`
          UPDATE destination_state SET rate_level = ${after.level}, rate_at = ${after.at}
          WHERE tenant = 'default' AND destination = ${r.destination}
        `;
      }
    }
    return { claimed, held, states: limits.map(toState) };
  });
  return {
    deliveries: result.claimed.map((row) => toClaimed({ ...row, body: bodyBytes(row) }, leaseUntil)),
    held: result.held,
    states: result.states,
  };
}

const CLAIMED_COLUMNS =
  "d.seq, d.id, d.tenant, d.event_id, d.destination, d.route, d.attempts, d.schedule_base, d.deadline_at, d.next_trigger, d.next_attempt_at";

/** Leases up to `limit` due deliveries of a destination, earliest due first. */
async function claimDue(
  tx: Tx,
  destination: string,
  limit: number,
  now: number,
  leaseUntil: number,
  owner: string,
) {
  return tx<PgClaimRow[]>`
    WITH picked AS (
      SELECT id FROM deliveries
      WHERE status = 'pending' AND destination = ${destination} AND next_attempt_at <= ${now}
        AND (lease_until IS NULL OR lease_until < ${now})
      ORDER BY next_attempt_at LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ),
    leased AS (
      UPDATE deliveries d SET lease_until = ${leaseUntil}, lease_owner = ${owner}
      FROM picked WHERE d.id = picked.id
      RETURNING ${tx.unsafe(CLAIMED_COLUMNS)}
    )
    SELECT l.id, l.tenant, l.event_id, l.destination, l.route, l.attempts, l.schedule_base, l.deadline_at,
      l.next_trigger, e.type, e.source, e.body, e.body_text
    FROM leased l JOIN events e ON e.id = l.event_id
    ORDER BY l.next_attempt_at, l.seq
  `;
}

/** Leases the oldest pending delivery of a fifo destination if it is due and not in flight. */
async function claimFifoHead(
  tx: Tx,
  destination: string,
  now: number,
  leaseUntil: number,
  owner: string,
): Promise<{ rows: PgClaimRow[] } | { until: number | null }> {
  // The destination's state row is locked, so no other claim of this destination runs now.
  const [head] = await tx<{ id: string; next_attempt_at: number; lease_until: number | null }[]>`
    SELECT id, next_attempt_at, lease_until FROM deliveries
    WHERE status = 'pending' AND destination = ${destination} ORDER BY seq LIMIT 1
  `;
  if (!head) return { rows: [] };
  if (head.next_attempt_at > now) return { until: head.next_attempt_at };
  if (head.lease_until !== null && head.lease_until >= now) return { until: null };
  const rows = await tx<PgClaimRow[]>`
    WITH leased AS (
      UPDATE deliveries d SET lease_until = ${leaseUntil}, lease_owner = ${owner}
      WHERE d.id = ${head.id} RETURNING ${tx.unsafe(CLAIMED_COLUMNS)}
    )
    SELECT l.id, l.tenant, l.event_id, l.destination, l.route, l.attempts, l.schedule_base, l.deadline_at,
      l.next_trigger, e.type, e.source, e.body, e.body_text
    FROM leased l JOIN events e ON e.id = l.event_id
  `;
  return { rows };
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

/**
 * Records attempts, new delivery states, destination states and alerts, in one transaction. The
 * texts must be storable already (storableOutcome): the store retries a refused batch per outcome.
 */
export async function recordOutcomes(
  sql: Sql,
  outcomes: readonly DeliveryOutcome[],
  now: number,
  textBodies: boolean,
): Promise<void> {
  // Set-based: one statement for the attempts and one for the deliveries, whatever the batch size.
  // Like a lease, an outcome need not wait for its WAL flush: if the server crashes before the
  // flush, the delivery is pending again and is sent again, which at-least-once allows.
  const tried = outcomes.filter((o) => o.attempt !== null);
  const attempts = tried.map((o) => o.attempt as AttemptRecord);
  const changes = outcomes.flatMap((o) => (o.destinationChange ? [o.destinationChange] : []));
  const alerts = outcomes.flatMap((o) => (o.alert ? [o.alert] : []));
  await sql.begin(async (tx) => {
    const writes = [
      tx`SET LOCAL synchronous_commit = off`,
      tx`
        UPDATE deliveries d SET status = v.status, attempts = d.attempts + v.attempted, next_attempt_at = v.next_attempt_at,
          next_trigger = 'retry', lease_until = NULL, lease_owner = NULL, updated_at = ${now},
          last_status = coalesce(v.last_status, d.last_status), last_error = v.last_error,
          transform = coalesce(v.transform, d.transform)
        FROM unnest(
          ${outcomes.map((o) => o.deliveryId)}::text[], ${outcomes.map((o) => o.status)}::text[],
          ${outcomes.map((o) => (o.attempt ? 1 : 0))}::integer[], ${outcomes.map((o) => o.nextAttemptAt)}::bigint[],
          ${outcomes.map((o) => o.lastStatus)}::integer[], ${outcomes.map((o) => o.lastError)}::text[],
          ${outcomes.map((o) => o.transform ?? null)}::text[]
        ) AS v(id, status, attempted, next_attempt_at, last_status, last_error, transform)
        WHERE d.id = v.id
      `,
    ];
    if (attempts.length > 0) {
      writes.push(tx`
        INSERT INTO attempts (delivery_id, number, trigger, started_at, duration_ms, status, error, error_message,
          response_headers, response_body, response_body_encoding)
        SELECT * FROM unnest(
          ${tried.map((o) => o.deliveryId)}::text[], ${attempts.map((a) => a.number)}::integer[],
          ${attempts.map((a) => a.trigger)}::text[], ${attempts.map((a) => a.startedAt)}::bigint[],
          ${attempts.map((a) => a.durationMs)}::bigint[], ${attempts.map((a) => a.status)}::integer[],
          ${attempts.map((a) => a.error)}::text[], ${attempts.map((a) => a.errorMessage)}::text[],
          ${attempts.map((a) => (a.responseHeaders ? JSON.stringify(a.responseHeaders) : null))}::text[],
          ${attempts.map((a) => a.responseBody)}::text[], ${attempts.map((a) => a.responseBodyEncoding)}::text[]
        )
      `);
    }
    // Sent together: postgres.js pipelines the statements of a transaction that are not awaited one by one.
    await Promise.all(writes);
    if (changes.length > 0) await applyChanges(tx, changes);
    if (alerts.length > 0) await insertEvents(tx, alerts, textBodies);
  });
}

/**
 * Applies attempts' changes to their destinations' stored states, read under a row lock, so
 * failures counted by several nodes add up.
 */
async function applyChanges(tx: Tx, changes: readonly DestinationChange[]): Promise<void> {
  const names = [...new Set(changes.map((c) => c.destination))].sort();
  const rows = await tx<StateRow[]>`
    SELECT * FROM destination_state WHERE tenant = 'default' AND destination = ANY(${names}::text[])
    ORDER BY destination FOR UPDATE
  `;
  const states = new Map(rows.map((r) => [r.destination, toState(r)]));
  for (const c of changes) {
    const before = states.get(c.destination) ?? initialDestinationState(c.destination);
    states.set(c.destination, applyDestinationChange(before, c));
  }
  for (const state of states.values()) await saveDestinationState(tx, state);
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
