import type { AttemptRecord, DestinationState } from "../../../core/delivery-types.js";
import {
  applyDestinationChange,
  type DestinationChange,
  initialDestinationState,
} from "../../../core/destination-state.js";
import type { DeliveryOutcome } from "../../port.js";
import { type StateRow, toState } from "../../rows.js";
import { pipelinedTransaction, type Queryable, type Sql } from "../connection.js";
import { insertEvents } from "./events.js";

/** Upserts the state of one destination. */
export async function saveDestinationState(sql: Queryable, s: DestinationState): Promise<void> {
  await saveStateStatement(sql, s);
}

/** The statement that upserts the state of one destination. */
function saveStateStatement(sql: Queryable, s: DestinationState) {
  return sql`
    INSERT INTO destination_state (tenant, destination, state, disabled_reason, consecutive_failures, circuit_open_until,
      circuit_cooldown_ms, last_success_at, last_failure_at)
    VALUES (${s.tenant}, ${s.destination}, ${s.state}, ${s.disabledReason}, ${s.consecutiveFailures}, ${s.circuitOpenUntil},
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
  // Two round trips: BEGIN with the writes and the lock on the destinations' states, then their
  // new states with COMMIT.
  await pipelinedTransaction(sql, async (tx, commit) => {
    const writes: Promise<unknown>[] = [
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
    // Sent together: postgres.js pipelines statements that are not awaited one by one.
    const [locked] = await Promise.all([changes.length > 0 ? lockStates(tx, changes) : null, ...writes]);
    const saves = locked ? changedStates(locked, changes).map((state) => saveStateStatement(tx, state)) : [];
    if (alerts.length > 0) {
      await Promise.all(saves);
      await insertEvents(tx, alerts, textBodies);
    } else await commit(...saves);
  });
}

/** A destination's key in a map: JSON of the pair, so no tenant or slug can make two keys collide. */
const keyOf = (k: { tenant: string; destination: string }) => JSON.stringify([k.tenant, k.destination]);

/**
 * Reads the stored states of the destinations that attempts changed, under a row lock, so failures
 * counted by several nodes add up. Locked in (tenant, destination) order, as a claim locks them.
 */
function lockStates(tx: Queryable, changes: readonly DestinationChange[]) {
  const keys = [...new Map(changes.map((c) => [keyOf(c), c])).values()];
  return tx<StateRow[]>`
    SELECT * FROM destination_state
    WHERE (tenant, destination) IN (
      SELECT * FROM unnest(${keys.map((k) => k.tenant)}::text[], ${keys.map((k) => k.destination)}::text[])
    )
    ORDER BY tenant, destination FOR UPDATE
  `;
}

/** The destinations' states once the attempts' changes are applied to the stored ones. */
function changedStates(rows: readonly StateRow[], changes: readonly DestinationChange[]): DestinationState[] {
  const states = new Map(rows.map((r) => [keyOf(r), toState(r)]));
  for (const c of changes) {
    const before = states.get(keyOf(c)) ?? initialDestinationState(c.tenant, c.destination);
    states.set(keyOf(c), applyDestinationChange(before, c));
  }
  return [...states.values()];
}
