import type { NewDelivery } from "../../../core/delivery-types.js";
import type { IncomingEvent, IngestResult } from "../../../core/types.js";
import type { Tx } from "../connection.js";

/** Rows per multi-row INSERT, well under PostgreSQL's 65,535 parameters per statement. */
const CHUNK = 1000;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

const dedupeKey = (e: { tenant: string; source: string; externalId: string | null }) =>
  e.externalId === null ? null : JSON.stringify([e.tenant, e.source, e.externalId]);

/** Inserts deliveries of stored events with multi-row inserts. Runs inside a transaction. */
export async function insertDeliveries(
  tx: Tx,
  rows: readonly { tenant: string; eventId: string; delivery: NewDelivery; now: number }[],
): Promise<void> {
  for (const part of chunks(rows)) {
    const values = part.map(({ tenant, eventId, delivery: d, now }) => ({
      id: d.id,
      tenant,
      event_id: eventId,
      destination: d.destination,
      routes: JSON.stringify(d.routes),
      route: d.route ?? null,
      status: "pending",
      next_attempt_at: d.nextAttemptAt,
      next_trigger: d.trigger,
      deadline_at: d.deadlineAt,
      created_at: now,
      updated_at: now,
    }));
    await tx`INSERT INTO deliveries ${tx(values)}`;
  }
}

/**
 * Inserts events and the deliveries of those that are new; a repeat of a stored (tenant, source,
 * externalId), or of an earlier event in the batch, answers the first event's id. Runs inside a transaction.
 */
export async function insertEvents(tx: Tx, events: readonly IncomingEvent[]): Promise<IngestResult[]> {
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
  for (const part of chunks(candidates)) {
    const values = part.map((e) => ({
      id: e.id,
      tenant: e.tenant,
      source: e.source,
      external_id: e.externalId,
      type: e.type,
      original_type: e.originalType,
      received_at: e.receivedAt,
      unknown_type: e.unknownType,
      schema_issues: e.schemaIssues.length > 0 ? JSON.stringify(e.schemaIssues) : null,
      body: e.body,
    }));
    const rows = await tx<{ id: string }[]>`
      INSERT INTO events ${tx(values)}
      ON CONFLICT (tenant, source, external_id) WHERE external_id IS NOT NULL DO NOTHING
      RETURNING id
    `;
    for (const r of rows) inserted.add(r.id);
  }

  // Keys whose first event was not inserted were stored before (or by a transaction that just committed).
  const stored = new Map<string, string>();
  const missing = candidates.filter((e) => e.externalId !== null && !inserted.has(e.id));
  for (const part of chunks(missing)) {
    const rows = await tx<{ id: string; tenant: string; source: string; external_id: string }[]>`
      SELECT id, tenant, source, external_id FROM events
      WHERE (tenant, source, external_id) IN (
        SELECT * FROM unnest(
          ${part.map((e) => e.tenant)}::text[], ${part.map((e) => e.source)}::text[], ${part.map((e) => e.externalId)}::text[]
        )
      ) AND external_id IS NOT NULL
    `;
    for (const r of rows) {
      stored.set(dedupeKey({ tenant: r.tenant, source: r.source, externalId: r.external_id }) ?? "", r.id);
    }
  }

  await insertDeliveries(
    tx,
    candidates
      .filter((e) => inserted.has(e.id))
      .flatMap((e) =>
        e.deliveries.map((delivery) => ({ tenant: e.tenant, eventId: e.id, delivery, now: e.receivedAt })),
      ),
  );

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
