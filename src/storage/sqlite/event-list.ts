import { encodeTime } from "ulidx";
import { isEventId } from "../../core/ids.js";
import type { EventSummary } from "../../core/types.js";
import type { EventQuery, EventSearch, EventSearchPage } from "../port.js";
import { type EventRow, toSummary } from "../rows.js";
import { boundLimit, type Connection } from "./connection.js";

/** The columns of an event's summary (`toSummary`). */
export const SUMMARY_COLUMNS =
  "id, tenant, source, external_id, type, original_type, received_at, unknown_type, schema_issues";

const SUMMARY_OF_E = SUMMARY_COLUMNS.split(", ")
  .map((c) => `e.${c}`)
  .join(", ");

/** A glob's `*` stays; GLOB's other wildcards (`?`, `[`) are taken literally. */
function sqliteGlob(glob: string): string {
  return glob.replace(/[?[]/g, (c) => `[${c}]`);
}

/** The WHERE clause of the list's filters, scoped to the tenant. */
function eventWhere(tenant: string, q: EventQuery): { where: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    where.push(clause);
    params.push(...values);
  };
  // "+tenant": not an index term, so SQLite walks the id index in the list's order and stops at
  // the page's end. Offered (tenant, seq) for it, it would read all the tenant's events and sort
  // them by id: seconds at a million.
  add("+tenant = ?", tenant);
  if (q.source) add("source = ?", q.source);
  if (q.type) add("type = ?", q.type);
  if (q.typeGlob) {
    const { glob, known } = q.typeGlob;
    const pattern = sqliteGlob(glob);
    const inKnown = known.length > 0 ? `type IN (${known.map(() => "?").join(", ")}) OR ` : "";
    add(`(${inKnown}type GLOB ? OR original_type GLOB ?)`, ...known, pattern, pattern);
  }
  // Ids are ULIDs made at receipt, so a time bound is also an id bound the index can use.
  if (q.since !== undefined) add("id >= ? AND received_at >= ?", `evt_${encodeTime(q.since, 10)}`, q.since);
  if (q.until !== undefined) add("id < ? AND received_at < ?", `evt_${encodeTime(q.until, 10)}`, q.until);
  // An id of ours by its form; anything else can only be the sender's.
  if (q.id) add(isEventId(q.id) ? "id = ?" : "external_id = ?", q.id);
  if (q.before) add("id < ?", q.before);
  return { where: where.join(" AND "), params };
}

/** The events list and its bounded body search, on the read-only connection. */
export function eventList(db: Connection) {
  return {
    listEvents(tenant: string, query: EventQuery): EventSummary[] {
      const { where, params } = eventWhere(tenant, query);
      const sql = `SELECT ${SUMMARY_COLUMNS} FROM events WHERE ${where} ORDER BY id DESC LIMIT ${boundLimit("?")}`;
      return (db.prepare(sql).all(...params, query.limit) as EventRow[]).map(toSummary);
    },

    searchEvents(tenant: string, query: EventSearch): EventSearchPage {
      const { where, params } = eventWhere(tenant, query);
      // One statement, so the matches and how far the scan went are of one snapshot. `lower` is
      // ASCII-only here; as blobs, `instr` compares bytes (a body need not be text).
      const sql = `
        WITH scanned AS (
          SELECT id, instr(CAST(lower(body) AS BLOB), CAST(lower(?) AS BLOB)) > 0 AS hit
          FROM events WHERE ${where} ORDER BY id DESC LIMIT ${boundLimit("?")}
        ),
        seen AS (SELECT count(*) AS n, min(id) AS oldest FROM scanned),
        hits AS (SELECT id FROM scanned WHERE hit ORDER BY id DESC LIMIT ${boundLimit("?")})
        SELECT ${SUMMARY_OF_E}, seen.n AS scanned, seen.oldest AS oldest
        FROM seen LEFT JOIN hits ON 1 LEFT JOIN events e ON e.id = hits.id
        ORDER BY e.id DESC`;
      const rows = db.prepare(sql).all(query.text, ...params, query.scanLimit, query.limit) as (EventRow & {
        scanned: number;
        oldest: string | null;
      })[];
      const first = rows[0];
      const stopped = first !== undefined && first.scanned >= query.scanLimit;
      return {
        events: rows.filter((r) => r.id !== null).map(toSummary),
        scannedTo: stopped ? first.oldest : null,
      };
    },
  };
}
