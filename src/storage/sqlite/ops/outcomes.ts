import type { DestinationState } from "../../../core/delivery-types.js";
import { applyDestinationChange, initialDestinationState } from "../../../core/destination-state.js";
import type { DeliveryOutcome } from "../../port.js";
import { type StateRow, toState } from "../../rows.js";
import { reducedOutcome, storableOutcome } from "../../storable.js";
import type { Connection } from "../connection.js";
import { decodeOutcomes, type OutcomesWire } from "../wire.js";
import type { eventOps } from "./events.js";

/** Attempt outcomes and destination states, each one synchronous `BEGIN IMMEDIATE` unit on the writer thread. */
export function outcomeOps(db: Connection, events: ReturnType<typeof eventOps>) {
  const insertAttempt = db.prepare(`
    INSERT INTO attempts (delivery_id, number, trigger, started_at, duration_ms, status, error, error_message, response_headers,
      response_body, response_body_encoding)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  `);
  const updateDelivery = db.prepare(`
    UPDATE deliveries SET status = ?, attempts = attempts + ?, next_attempt_at = ?,
      next_trigger = 'retry', lease_until = NULL, lease_owner = NULL, updated_at = ?,
      last_status = coalesce(?, last_status), last_error = ?, transform = coalesce(?, transform)
    WHERE id = ?
  `);
  const upsertState = db.prepare(`
    INSERT INTO destination_state (tenant, destination, state, disabled_reason, consecutive_failures, circuit_open_until, circuit_cooldown_ms, last_success_at, last_failure_at)
    VALUES (@tenant, @destination, @state, @disabledReason, @consecutiveFailures, @circuitOpenUntil, @circuitCooldownMs, @lastSuccessAt, @lastFailureAt)
    ON CONFLICT (tenant, destination) DO UPDATE SET state = excluded.state, disabled_reason = excluded.disabled_reason,
      consecutive_failures = excluded.consecutive_failures, circuit_open_until = excluded.circuit_open_until,
      circuit_cooldown_ms = excluded.circuit_cooldown_ms, last_success_at = excluded.last_success_at, last_failure_at = excluded.last_failure_at
  `);

  const saveState = (s: DestinationState) => upsertState.run(s);
  const stateOf = db.prepare("SELECT * FROM destination_state WHERE tenant = ? AND destination = ?");

  const currentState = (tenant: string, destination: string) => {
    const row = stateOf.get(tenant, destination) as StateRow | undefined;
    return row ? toState(row) : initialDestinationState(tenant, destination);
  };

  /** One outcome's rows, bound by position: no object built per statement, no name looked up. */
  const writeOne = (o: DeliveryOutcome, now: number) => {
    const a = o.attempt;
    if (a) {
      insertAttempt.run(
        o.deliveryId,
        a.number,
        a.trigger,
        a.startedAt,
        a.durationMs,
        a.status,
        a.error,
        a.errorMessage,
        a.responseHeaders ? JSON.stringify(a.responseHeaders) : null,
        a.responseBody,
        a.responseBodyEncoding,
      );
    }
    updateDelivery.run(
      o.status,
      a ? 1 : 0,
      o.nextAttemptAt,
      now,
      o.lastStatus,
      o.lastError,
      o.transform ?? null,
      o.deliveryId,
    );
    if (o.alert) events.insertOne(o.alert);
  };
  /** Every outcome's rows, in one savepoint: refused, it leaves nothing behind. */
  const writeAll = db.transaction((outcomes: readonly DeliveryOutcome[], now: number) => {
    for (const o of outcomes) writeOne(o, now);
  });
  /** One outcome's rows, in a savepoint of its own. */
  const writeAlone = db.transaction(writeOne);
  // An outcome the database refuses is stored reduced, alone: never failing the others, and never
  // left unrecorded, which would have its delivery sent again once its lease expired. The batch
  // goes in one savepoint; only when it is refused does each outcome get one of its own (a
  // savepoint per outcome would cost more than the outcome's own rows).
  const record = db.transaction((outcomes: DeliveryOutcome[], now: number) => {
    const storable = outcomes.map(storableOutcome);
    try {
      writeAll(storable, now);
    } catch (error) {
      // A full disk or an I/O error ends the whole transaction: nothing more can be stored.
      if (!db.inTransaction) throw error;
      for (const o of storable) {
        try {
          writeAlone(o, now);
        } catch (refused) {
          if (!db.inTransaction) throw refused;
          writeAlone(reducedOutcome(o, refused), now);
        }
      }
    }
    const states = new Map<string, DestinationState>();
    for (const o of storable) {
      const change = o.destinationChange;
      if (change) {
        // JSON of the pair: no tenant or slug can make two keys collide.
        const key = JSON.stringify([change.tenant, change.destination]);
        const before = states.get(key) ?? currentState(change.tenant, change.destination);
        states.set(key, applyDestinationChange(before, change));
      }
    }
    for (const state of states.values()) saveState(state);
  });

  return {
    /** Records outcomes sent in their flat form (`wire.ts`). */
    recordOutcomes: (outcomes: OutcomesWire, now: number) => record.immediate(decodeOutcomes(outcomes), now),
    saveDestinationState: (s: DestinationState) => saveState(s).changes,
  };
}
