import type { NewDelivery } from "../../../core/delivery-types.js";
import { wellFormed } from "../../../core/text.js";
import type { IncomingEvent, IngestResult } from "../../../core/types.js";
import { eventText } from "../../storable.js";
import { applyActionCommands } from "../action-commands.js";
import { bodyColumns } from "../body.js";
import type { Sql, Tx } from "../connection.js";

/** A pool, where each statement is its own transaction, or a transaction. */
type Q = Sql | Tx;

/**
 * Rows per statement where they go as one JSON parameter or as arrays (a batch's deliveries, the
 * lookup of stored keys), bounding its size: the statement's text is the same whatever the batch
 * size, so postgres.js prepares it once per connection.
 */
const CHUNK = 5000;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Events per insert. Their rows go in as parameters, one per column, so a body is sent as it is
 * (text, or bytea) and PostgreSQL parses nothing but the statement; that statement's text depends
 * on the number of rows, and postgres.js prepares each text once per connection, so the sizes
 * are bounded: at most this many statements per connection. (An ingest batch is tens of events.)
 */
const EVENTS_PER_STATEMENT = 128;

/** The columns of an event row as `insertEvents` writes them. */
const EVENT_COLUMNS = [
  "id",
  "tenant",
  "source",
  "external_id",
  "type",
  "original_type",
  "received_at",
  "unknown_type",
  "schema_issues",
  "body",
  "body_text",
] as const;

/** An event's dedupe key as the database holds it (a lone surrogate or NUL stored as U+FFFD). */
const dedupeKey = (e: { tenant: string; source: string; externalId: string | null }) =>
  e.externalId === null ? null : JSON.stringify([e.tenant, e.source, wellFormed(e.externalId)]);

/** Whether an event asks for deployment actions (most do not, and cost nothing more). */
const asksActions = (e: IncomingEvent) => e.actions !== undefined && e.actions.length > 0;

/** The channel on which commits that create due work notify the workers. */
export const WORK_CHANNEL = "switchyard_work";

/** JSON.stringify writes NUL and a lone surrogate as escapes like these. */
const UNSTORABLE_ESCAPE = /\\u0000|\\ud[89a-f][0-9a-f]{2}/;

/**
 * Rows as one JSON parameter, for `json_to_recordset`: one native stringify, where an array
 * parameter per column costs postgres.js an escaping pass over every value. PostgreSQL's json
 * refuses a lone surrogate, and text cannot hold NUL (one row holding it would fail the whole
 * statement): both go in as U+FFFD, the storable-text rule every store follows.
 */
function rowsJson(rows: readonly object[]): string {
  const text = JSON.stringify(rows);
  if (!UNSTORABLE_ESCAPE.test(text)) return text;
  return JSON.stringify(rows, (_key, value: unknown) =>
    typeof value === "string" ? wellFormed(value) : value,
  );
}

type DeliveryRow = { tenant: string; eventId: string; delivery: NewDelivery; now: number };

/** An INSERT of pending deliveries, the rows as one JSON parameter, for a caller to complete or run. */
function deliveriesInsert(q: Q, rows: readonly DeliveryRow[]) {
  const json = rowsJson(
    rows.map((r) => ({
      id: r.delivery.id,
      tenant: r.tenant,
      event_id: r.eventId,
      destination: r.delivery.destination,
      routes: JSON.stringify(r.delivery.routes),
      route: r.delivery.route ?? null,
      next_attempt_at: r.delivery.nextAttemptAt,
      next_trigger: r.delivery.trigger,
      deadline_at: r.delivery.deadlineAt,
      now: r.now,
      lease_until: r.delivery.lease?.until ?? null,
      lease_owner: r.delivery.lease?.owner ?? null,
    })),
  );
  return q`
    INSERT INTO deliveries (id, tenant, event_id, destination, routes, route, status, next_attempt_at,
      next_trigger, deadline_at, created_at, updated_at, lease_until, lease_owner)
    SELECT d.id, d.tenant, d.event_id, d.destination, d.routes, d.route, 'pending', d.next_attempt_at,
      d.next_trigger, d.deadline_at, d.now, d.now, d.lease_until, d.lease_owner
    FROM json_to_recordset(${json}::text::json) AS d(id text, tenant text, event_id text, destination text,
      routes text, route text, next_attempt_at bigint, next_trigger text, deadline_at bigint, now bigint,
      lease_until bigint, lease_owner text)
  `;
}

/** Inserts pending deliveries of stored events in one statement. */
export async function insertDeliveries(q: Q, rows: readonly DeliveryRow[]): Promise<void> {
  if (rows.length > 0) await deliveriesInsert(q, rows);
}

/**
 * Inserts events and the deliveries of those that are new; a repeat of a stored (tenant, source,
 * externalId), or of an earlier event in the batch, answers the first event's id. With `textBodies`
 * (the database is UTF-8), a body that is valid UTF-8 is stored as text.
 *
 * The events, their deliveries and the workers' wake-up are one statement per `CHUNK` events (an
 * ingest batch is one): one round trip, and on a pool its own transaction, committed before it
 * answers. Each event goes in with its deliveries or not at all. A batch in which an event asks
 * for deployment actions is one transaction, the commands of the events stored applied in it.
 */
export async function insertEvents(
  sql: Q,
  events: readonly IncomingEvent[],
  textBodies: boolean,
): Promise<IngestResult[]> {
  const commands = events.some(asksActions);
  // Only a transaction has savepoints; on a pool, a batch with commands opens one.
  if (commands && !("savepoint" in sql)) {
    return sql.begin((tx) => insertEvents(tx, events, textBodies)) as Promise<IngestResult[]>;
  }
  // The first of several events with one key in the batch is the one that may be stored.
  const firstOfKey = new Map<string, IncomingEvent>();
  const keyless: IncomingEvent[] = [];
  for (const e of events) {
    const key = dedupeKey(e);
    if (key === null) keyless.push(e);
    else if (!firstOfKey.has(key)) firstOfKey.set(key, e);
  }
  // Rows go in by key, so two batches committing at once that share keys take their unique-index
  // locks in one order and cannot deadlock: the later one waits, then finds the key taken.
  const candidates = [...firstOfKey]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, e]) => e)
    .concat(keyless);
  const inserted = new Set<string>();
  const insertChunk = async (part: readonly IncomingEvent[]) => {
    const bodies = part.map((e) => bodyColumns(e.body, textBodies));
    const deliveries = part.flatMap((e) =>
      e.deliveries.map((delivery) => ({ tenant: e.tenant, eventId: e.id, delivery, now: e.receivedAt })),
    );
    // A delivery goes in only with its event; the wake-up is sent on commit, and only when some
    // delivery went in: workers on every node then claim within milliseconds, not at their next poll.
    // (A CTE that only reads runs when it is read: the count of `woken` is what sends it.)
    const rows = await sql<{ id: string }[]>`
      WITH stored AS (
        INSERT INTO events ${sql(
          part.map((e, i) => {
            const b = bodies[i] as { body: Uint8Array | null; body_text: string | null };
            const text = eventText(e);
            return {
              id: e.id,
              tenant: e.tenant,
              source: e.source,
              external_id: text.externalId,
              type: text.type,
              original_type: text.originalType,
              received_at: e.receivedAt,
              unknown_type: e.unknownType,
              schema_issues: text.schemaIssues,
              body: b.body === null ? null : Buffer.from(b.body.buffer, b.body.byteOffset, b.body.byteLength),
              body_text: b.body_text,
            };
          }),
          EVENT_COLUMNS,
        )}
        ON CONFLICT (tenant, source, external_id) WHERE external_id IS NOT NULL DO NOTHING
        RETURNING id
      ),
      planned AS (
        ${deliveriesInsert(sql, deliveries)}
        WHERE d.event_id IN (SELECT id FROM stored)
        RETURNING 1
      ),
      woken AS (SELECT pg_notify(${WORK_CHANNEL}, '') FROM (SELECT 1 FROM planned LIMIT 1) AS any_planned)
      SELECT id, (SELECT count(*) FROM woken) AS woken FROM stored
    `;
    for (const r of rows) inserted.add(r.id);
  };
  for (const part of chunks(candidates, EVENTS_PER_STATEMENT)) await insertChunk(part);
  if (commands && "savepoint" in sql) {
    await applyActionCommands(
      sql,
      events.filter((e) => inserted.has(e.id)),
    );
  }

  // Keys whose first event was not inserted were stored before (or by a transaction that just committed).
  const stored = new Map<string, string>();
  const missing = candidates.filter((e) => e.externalId !== null && !inserted.has(e.id));
  for (const part of chunks(missing)) {
    const rows = await sql<{ id: string; tenant: string; source: string; external_id: string }[]>`
      SELECT id, tenant, source, external_id FROM events
      WHERE (tenant, source, external_id) IN (
        SELECT * FROM unnest(
          ${part.map((e) => e.tenant)}::text[], ${part.map((e) => e.source)}::text[], ${part.map((e) => eventText(e).externalId)}::text[]
        )
      ) AND external_id IS NOT NULL
    `;
    for (const r of rows) {
      stored.set(dedupeKey({ tenant: r.tenant, source: r.source, externalId: r.external_id }) ?? "", r.id);
    }
  }

  return events.map((e): IngestResult => {
    if (inserted.has(e.id)) return { eventId: e.id, duplicate: false };
    const key = dedupeKey(e);
    const first = key === null ? undefined : firstOfKey.get(key);
    if (key !== null && first && inserted.has(first.id)) return { eventId: first.id, duplicate: true };
    const existing = key === null ? undefined : stored.get(key);
    if (existing === undefined) throw new Error(`event ${e.id} was neither stored nor a duplicate`);
    return { eventId: existing, duplicate: true };
  });
}
