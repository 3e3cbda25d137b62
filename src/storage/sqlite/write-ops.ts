import type { IncomingEvent, IngestResult } from "../../core/types.js";
import type { Connection } from "./connection.js";

/** The writes the writer thread performs, each one synchronous `BEGIN IMMEDIATE` unit. */
export function createWriteOps(db: Connection) {
  const insert = db.prepare(`
    INSERT INTO events (id, tenant, source, external_id, type, original_type, received_at, unknown_type, schema_issues, body)
    VALUES (@id, @tenant, @source, @externalId, @type, @originalType, @receivedAt, @unknownType, @schemaIssues, @body)
    ON CONFLICT (tenant, source, external_id) WHERE external_id IS NOT NULL DO NOTHING
  `);
  const existing = db
    .prepare("SELECT id FROM events WHERE tenant = ? AND source = ? AND external_id = ?")
    .pluck();

  const insertEvents = db.transaction((events: IncomingEvent[]): IngestResult[] =>
    events.map((e) => {
      const { changes } = insert.run({
        ...e,
        unknownType: e.unknownType ? 1 : 0,
        schemaIssues: e.schemaIssues.length > 0 ? JSON.stringify(e.schemaIssues) : null,
      });
      if (changes === 1) return { eventId: e.id, duplicate: false };
      return { eventId: existing.get(e.tenant, e.source, e.externalId) as string, duplicate: true };
    }),
  );

  return {
    insertEvents: (events: IncomingEvent[]) => insertEvents.immediate(events),
  };
}

export type WriteOps = ReturnType<typeof createWriteOps>;
export type WriteOp = keyof WriteOps;
