import { encodeTime } from "ulidx";
import type { DestinationState } from "../../../core/delivery-types.js";
import { applyDestinationChange, initialDestinationState } from "../../../core/destination-state.js";
import type { ClaimRequest, DeliveryOutcome, HeldDestination, RequeueQuery } from "../../port.js";
import { type ClaimRow, type StateRow, toClaimed, toState } from "../../rows.js";
import { reducedOutcome, storableOutcome } from "../../storable.js";
import type { Connection } from "../connection.js";
import type { eventOps } from "./events.js";

/** The columns a claimed delivery is built from (`toClaimed`). */
const CLAIM_COLUMNS =
  "d.id, d.tenant, d.event_id, d.destination, d.route, d.attempts, d.schedule_base, d.deadline_at, d.next_trigger, e.type, e.source, e.body";

/** Delivery writes, each one synchronous `BEGIN IMMEDIATE` unit on the writer thread. */
export function deliveryOps(db: Connection, events: ReturnType<typeof eventOps>) {
  // A SELECT, then an UPDATE per row: one UPDATE … WHERE id IN (SELECT … LIMIT) RETURNING was
  // compiled again on every run (sqlite3Reprepare), which cost more than the claim itself.
  const due = db.prepare(`
    SELECT ${CLAIM_COLUMNS}
    FROM deliveries d JOIN events e ON e.id = d.event_id
    WHERE d.status = 'pending' AND d.destination = @destination AND d.next_attempt_at <= @now
      AND (d.lease_until IS NULL OR d.lease_until < @now)
    ORDER BY d.next_attempt_at LIMIT @limit
  `);
  const fifoHead = db.prepare(`
    SELECT id, next_attempt_at, lease_until FROM deliveries
    WHERE status = 'pending' AND destination = ? ORDER BY seq LIMIT 1
  `);
  const lease = db.prepare("UPDATE deliveries SET lease_until = ?, lease_owner = ? WHERE id = ?");
  const claimed = db.prepare(
    `SELECT ${CLAIM_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.id = ?`,
  );
  const insertAttempt = db.prepare(`
    INSERT INTO attempts (delivery_id, number, trigger, started_at, duration_ms, status, error, error_message, response_headers,
      response_body, response_body_encoding)
    VALUES (@deliveryId, @number, @trigger, @startedAt, @durationMs, @status, @error, @errorMessage, @responseHeaders,
      @responseBody, @responseBodyEncoding)
  `);
  const updateDelivery = db.prepare(`
    UPDATE deliveries SET status = @status, attempts = attempts + @attempted, next_attempt_at = @nextAttemptAt,
      next_trigger = 'retry', lease_until = NULL, lease_owner = NULL, updated_at = @now,
      last_status = coalesce(@lastStatus, last_status), last_error = @lastError, transform = coalesce(@transform, transform)
    WHERE id = @deliveryId
  `);
  const upsertState = db.prepare(`
    INSERT INTO destination_state (tenant, destination, state, disabled_reason, consecutive_failures, circuit_open_until, circuit_cooldown_ms, last_success_at, last_failure_at)
    VALUES ('default', @destination, @state, @disabledReason, @consecutiveFailures, @circuitOpenUntil, @circuitCooldownMs, @lastSuccessAt, @lastFailureAt)
    ON CONFLICT (tenant, destination) DO UPDATE SET state = excluded.state, disabled_reason = excluded.disabled_reason,
      consecutive_failures = excluded.consecutive_failures, circuit_open_until = excluded.circuit_open_until,
      circuit_cooldown_ms = excluded.circuit_cooldown_ms, last_success_at = excluded.last_success_at, last_failure_at = excluded.last_failure_at
  `);
  const retry = db.prepare(`
    UPDATE deliveries SET status = 'pending', next_attempt_at = ?, next_trigger = 'manual', deadline_at = ?, schedule_base = attempts,
      lease_until = NULL, lease_owner = NULL, updated_at = ? WHERE id = ? RETURNING id
  `);

  const saveState = (s: DestinationState) => upsertState.run(s);
  const stateOf = db.prepare("SELECT * FROM destination_state WHERE tenant = 'default' AND destination = ?");

  // One node: the worker enforces the limits itself; the claim only keeps fifo order.
  const currentState = (destination: string) => {
    const row = stateOf.get(destination) as StateRow | undefined;
    return row ? toState(row) : initialDestinationState(destination);
  };

  const claim = db.transaction((requests: ClaimRequest[], now: number, leaseUntil: number, owner: string) => {
    const rows: ClaimRow[] = [];
    const held: HeldDestination[] = [];
    for (const r of requests) {
      if (r.limit <= 0) continue;
      if (r.fifo) {
        const head = fifoHead.get(r.destination) as
          | { id: string; next_attempt_at: number; lease_until: number | null }
          | undefined;
        if (!head) continue;
        if (head.next_attempt_at > now)
          held.push({ destination: r.destination, until: head.next_attempt_at });
        else if (head.lease_until !== null && head.lease_until >= now) {
          held.push({ destination: r.destination, until: null }); // in flight
        } else {
          lease.run(leaseUntil, owner, head.id);
          rows.push(claimed.get(head.id) as ClaimRow);
        }
        continue;
      }
      for (const row of due.all({ destination: r.destination, now, limit: r.limit }) as ClaimRow[]) {
        lease.run(leaseUntil, owner, row.id);
        rows.push(row);
      }
    }
    return { deliveries: rows.map((row) => toClaimed(row, leaseUntil)), held, states: [] };
  });

  /** One outcome's rows. */
  const writeOne = (o: DeliveryOutcome, now: number) => {
    if (o.attempt) {
      insertAttempt.run({
        deliveryId: o.deliveryId,
        ...o.attempt,
        responseHeaders: o.attempt.responseHeaders ? JSON.stringify(o.attempt.responseHeaders) : null,
      });
    }
    updateDelivery.run({
      deliveryId: o.deliveryId,
      status: o.status,
      attempted: o.attempt ? 1 : 0,
      nextAttemptAt: o.nextAttemptAt,
      now,
      lastStatus: o.lastStatus,
      lastError: o.lastError,
      transform: o.transform ?? null,
    });
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
        const before = states.get(change.destination) ?? currentState(change.destination);
        states.set(change.destination, applyDestinationChange(before, change));
      }
    }
    for (const state of states.values()) saveState(state);
  });

  const requeue = db.transaction((q: RequeueQuery, now: number, deadlines: Record<string, number>) => {
    const where = ["d.status = @status"];
    if (q.destination) where.push("d.destination = @destination");
    if (q.type) where.push("e.type = @type");
    if (q.since !== undefined) where.push("d.updated_at >= @since");
    if (q.until !== undefined) where.push("d.updated_at < @until");
    const params = {
      status: q.status,
      destination: q.destination,
      type: q.type,
      since: q.since,
      until: q.until,
    };
    const ids = db
      .prepare(
        `SELECT d.id, d.destination FROM deliveries d JOIN events e ON e.id = d.event_id WHERE ${where.join(" AND ")}`,
      )
      .all(params) as { id: string; destination: string }[];
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
  });

  const purge = db.transaction((cutoff: number) => {
    db.prepare(
      "DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE status != 'pending' AND updated_at < ?)",
    ).run(cutoff);
    const d = db.prepare("DELETE FROM deliveries WHERE status != 'pending' AND updated_at < ?").run(cutoff);
    // Ids are ULIDs made at receipt, so the time bound is an id bound on the unique index.
    const e = db
      .prepare(
        "DELETE FROM events WHERE id < ? AND received_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id)",
      )
      .run(`evt_${encodeTime(Math.max(0, cutoff), 10)}`, cutoff);
    return { events: e.changes, deliveries: d.changes };
  });

  return {
    claimDeliveries: (requests: ClaimRequest[], now: number, leaseUntil: number, owner: string) =>
      claim.immediate(requests, now, leaseUntil, owner),
    recordOutcomes: (outcomes: DeliveryOutcome[], now: number) => record.immediate(outcomes, now),
    releaseLeases: (owner: string | null) =>
      owner === null
        ? db
            .prepare(
              "UPDATE deliveries SET lease_until = NULL, lease_owner = NULL WHERE lease_until IS NOT NULL",
            )
            .run().changes
        : db
            .prepare("UPDATE deliveries SET lease_until = NULL, lease_owner = NULL WHERE lease_owner = ?")
            .run(owner).changes,
    retryDelivery: (id: string, now: number, deadlineAt: number) =>
      retry.get(now, deadlineAt, now, id) !== undefined,
    requeueDeliveries: (q: RequeueQuery, now: number, deadlines: Record<string, number>) =>
      requeue.immediate(q, now, deadlines),
    saveDestinationState: (s: DestinationState) => saveState(s).changes,
    purge: (cutoff: number) => purge.immediate(cutoff),
  };
}
