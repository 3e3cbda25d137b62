import type { NewDelivery } from "../../../core/delivery-types.js";
import type { IncomingEvent, IngestResult } from "../../../core/types.js";
import { eventText } from "../../storable.js";
import { actionCommands } from "../action-commands.js";
import type { Connection } from "../connection.js";
import { type PackedEvents, unpackEvents } from "../wire.js";

/**
 * The highest seq events have had, deleted ones too (`event_seq`: streams read on by seq, so a
 * seq is never given twice). Every event stored later is above it.
 */
export const HIGHEST_EVENT_SEQ =
  "SELECT max(high, coalesce((SELECT max(seq) FROM events), 0)) FROM event_seq";

/**
 * Event writes: an event, its planned deliveries and its action commands go in together, or (a
 * duplicate) not at all.
 */
export function eventOps(db: Connection) {
  // Each event's seq is above every seq events have had. The highest is read once per transaction,
  // where no other write can come between, and counted on in memory: two b-tree lookups per event
  // were ~4 % of the writer's CPU.
  const highestSeq = db.prepare(HIGHEST_EVENT_SEQ).pluck();
  const insert = db.prepare(`
    INSERT INTO events (seq, id, tenant, source, external_id, type, original_type, received_at, unknown_type, schema_issues, body)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (tenant, source, external_id) WHERE external_id IS NOT NULL DO NOTHING
  `);
  const existing = db
    .prepare("SELECT id FROM events WHERE tenant = ? AND source = ? AND external_id = ?")
    .pluck();
  const insertDelivery = db.prepare(`
    INSERT INTO deliveries (id, tenant, event_id, destination, routes, route, status, next_attempt_at, next_trigger, deadline_at, created_at, updated_at, lease_until, lease_owner)
    VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?)
  `);

  /** Inserts deliveries of one stored event. */
  const addDeliveries = (
    tenant: string,
    eventId: string,
    deliveries: readonly NewDelivery[],
    now: number,
  ) => {
    for (const d of deliveries) {
      insertDelivery.run(
        d.id,
        tenant,
        eventId,
        d.destination,
        JSON.stringify(d.routes),
        d.route ?? null,
        d.nextAttemptAt,
        d.trigger,
        d.deadlineAt,
        now,
        now,
        d.lease?.until ?? null,
        d.lease?.owner ?? null,
      );
    }
  };

  const applyCommands = actionCommands(db);

  /**
   * Inserts one event with `body` (its deliveries, its commands) as `seq`, which must be above
   * every seq in the table; a repeat answers the first event's id, and its seq stays unused. Runs
   * inside a transaction. Positional parameters: binding by name costs a lookup per parameter on
   * every row.
   */
  const insertWithBody = (e: Omit<IncomingEvent, "body">, body: Uint8Array, seq: number): IngestResult => {
    const text = eventText(e);
    const { changes } = insert.run(
      seq,
      e.id,
      e.tenant,
      e.source,
      text.externalId,
      text.type,
      text.originalType,
      e.receivedAt,
      e.unknownType ? 1 : 0,
      text.schemaIssues,
      body,
    );
    if (changes === 1) {
      addDeliveries(e.tenant, e.id, e.deliveries, e.receivedAt);
      if (e.actions !== undefined && e.actions.length > 0) applyCommands(e.id, e.actions, e.receivedAt);
      return { eventId: e.id, duplicate: false };
    }
    return { eventId: existing.get(e.tenant, e.source, text.externalId) as string, duplicate: true };
  };
  /** Inserts one event; a repeat answers the first event's id. Runs inside a transaction. */
  const insertOne = (e: IncomingEvent): IngestResult =>
    insertWithBody(e, e.body, (highestSeq.get() as number) + 1);

  /** Each event of a batch with its body, a view of the batch's one buffer. */
  const insertEvents = db.transaction((packed: PackedEvents) => {
    const { events, bodies } = unpackEvents(packed);
    const results: IngestResult[] = [];
    let seq = highestSeq.get() as number;
    for (const [i, e] of events.entries()) results.push(insertWithBody(e, bodies[i] as Buffer, ++seq));
    return results;
  });
  const insertPacked = (packed: PackedEvents) => insertEvents.immediate(packed);
  const ownEvent = db.prepare("SELECT 1 FROM events WHERE tenant = ? AND id = ?");
  /** Adds deliveries of one of the tenant's events; false when the tenant has no such event. */
  const addDeliveriesTx = db.transaction(
    (tenant: string, eventId: string, deliveries: readonly NewDelivery[], now: number) => {
      if (ownEvent.get(tenant, eventId) === undefined) return false;
      addDeliveries(tenant, eventId, deliveries, now);
      return true;
    },
  );

  return {
    insertOne,
    insertEvents: insertPacked,
    addDeliveries: (tenant: string, eventId: string, deliveries: NewDelivery[], now: number) =>
      addDeliveriesTx.immediate(tenant, eventId, deliveries, now),
  };
}
