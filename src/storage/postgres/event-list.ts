import { encodeTime } from "ulidx";
import { isEventId } from "../../core/ids.js";
import type { EventSummary } from "../../core/types.js";
import type { EventQuery, EventSearch, EventSearchPage } from "../port.js";
import { type EventRow, toSummary } from "../rows.js";
import type { Fragment, Sql } from "./connection.js";

/** A glob as a LIKE pattern: `*` is `%`; LIKE's own `%`, `_` and its escape `\` are taken literally. */
function likePattern(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%");
}

/** The events list and its bounded body search; each one statement. */
export function eventList(sql: Sql) {
  const summary = sql`id, tenant, source, external_id, type, original_type, received_at, unknown_type, schema_issues`;
  const summaryOfE = sql`e.id, e.tenant, e.source, e.external_id, e.type, e.original_type, e.received_at, e.unknown_type, e.schema_issues`;

  /** The WHERE clause of the list's filters, scoped to the tenant. */
  const eventWhere = (tenant: string, q: EventQuery): Fragment => {
    const where: Fragment[] = [sql`tenant = ${tenant}`];
    if (q.source) where.push(sql`source = ${q.source}`);
    if (q.type) where.push(sql`type = ${q.type}`);
    if (q.typeGlob) {
      const pattern = likePattern(q.typeGlob.glob);
      where.push(
        sql`(type = ANY(${q.typeGlob.known as string[]}::text[]) OR type LIKE ${pattern} OR original_type LIKE ${pattern})`,
      );
    }
    // Ids are ULIDs made at receipt, so a time bound is also an id bound the index can use.
    if (q.since !== undefined)
      where.push(sql`id >= ${`evt_${encodeTime(q.since, 10)}`} AND received_at >= ${q.since}`);
    if (q.until !== undefined)
      where.push(sql`id < ${`evt_${encodeTime(q.until, 10)}`} AND received_at < ${q.until}`);
    // An id of ours by its form; anything else can only be the sender's.
    if (q.id) where.push(isEventId(q.id) ? sql`id = ${q.id}` : sql`external_id = ${q.id}`);
    if (q.before) where.push(sql`id < ${q.before}`);
    return sql`WHERE ${where.reduce((all, c) => sql`${all} AND ${c}`)}`;
  };

  return {
    async listEvents(tenant: string, q: EventQuery): Promise<EventSummary[]> {
      const rows = await sql<EventRow[]>`
        SELECT ${summary} FROM events ${eventWhere(tenant, q)} ORDER BY id DESC LIMIT ${q.limit}
      `;
      return rows.map(toSummary);
    },

    async searchEvents(tenant: string, q: EventSearch): Promise<EventSearchPage> {
      // A UTF-8 body is text (`body_text`), matched with `lower` on both sides; any other is bytes,
      // matched byte for byte. One statement: the matches and how far the scan went agree.
      const needle = Buffer.from(q.text, "utf8");
      const rows = await sql<(EventRow & { scanned: number; oldest: string | null })[]>`
        WITH scanned AS (
          SELECT id, CASE WHEN body_text IS NOT NULL THEN strpos(lower(body_text), lower(${q.text})) > 0
            ELSE position(${needle}::bytea IN body) > 0 END AS hit
          FROM events ${eventWhere(tenant, q)} ORDER BY id DESC LIMIT ${q.scanLimit}
        ),
        seen AS (SELECT count(*)::integer AS n, min(id) AS oldest FROM scanned),
        hits AS (SELECT id FROM scanned WHERE hit ORDER BY id DESC LIMIT ${q.limit})
        SELECT ${summaryOfE}, seen.n AS scanned, seen.oldest AS oldest
        FROM seen LEFT JOIN hits ON true LEFT JOIN events e ON e.id = hits.id
        ORDER BY e.id DESC
      `;
      const first = rows[0];
      const stopped = first !== undefined && first.scanned >= q.scanLimit;
      return {
        events: rows.filter((r) => r.id !== null).map(toSummary),
        scannedTo: stopped ? first.oldest : null,
      };
    },
  };
}
