import { encodeTime } from "ulidx";
import type { StreamPage, StreamPosition } from "../port.js";
import { type EventRow, toSummary } from "../rows.js";
import { laterPosition, seqOf, seqPosition } from "../stream-positions.js";
import { boundLimit, type Connection } from "./connection.js";
import { HIGHEST_EVENT_SEQ } from "./ops/events.js";
import { SUMMARY_COLUMNS } from "./reads.js";

/** How many events after a time are looked at to find the first in seq order (see `positionAt`). */
const SINCE_WINDOW = 1000;

/**
 * A tenant's events in stream order, on the read-only connection. One writer commits one
 * transaction at a time and gives each event a seq above every seq before it (deleted events'
 * too, `event_seq`), so seq order is commit order: a row below the highest seq a reader has
 * seen is already committed.
 */
export function streamReads(db: Connection) {
  const head = db.prepare(HIGHEST_EVENT_SEQ).pluck();
  const after = db.prepare(
    `SELECT seq, ${SUMMARY_COLUMNS} FROM events WHERE tenant = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ${boundLimit("?")}`,
  );
  const positionOf = db.prepare("SELECT seq FROM events WHERE tenant = ? AND id = ?").pluck();
  // "+tenant": not an index term, so the window is read from the time's place on the id index;
  // offered (tenant, seq), SQLite would read all the tenant's events and sort them by id.
  const firstSince = db
    .prepare(
      `SELECT min(seq) FROM (SELECT seq FROM events WHERE +tenant = ? AND id >= ? ORDER BY id LIMIT ${SINCE_WINDOW})`,
    )
    .pluck();

  return {
    /** The highest seq events have had: every event stored later is above it. */
    head(): StreamPosition {
      return seqPosition(head.get() as number);
    },

    read(tenant: string, from: StreamPosition, limit: number): StreamPage {
      // The head first, then rows up to it: a row committed between the two is above the head,
      // left for the next read, so `reached` never passes a row this read did not see.
      const top = head.get() as number;
      const rows = after.all(tenant, seqOf(from), top, limit) as (EventRow & { seq: number })[];
      const events = rows.map((row) => ({ event: toSummary(row), position: seqPosition(row.seq) }));
      const last = events.at(-1)?.position ?? from;
      return { events, reached: rows.length === limit ? last : laterPosition(from, seqPosition(top)) };
    },

    positionOf(tenant: string, id: string): StreamPosition | null {
      const seq = positionOf.get(tenant, id) as number | undefined;
      return seq === undefined ? null : seqPosition(seq);
    },

    /**
     * Just before the first (in seq order) of the tenant's events received at or after `time`.
     * Ids are ULIDs made at receipt, so the events at and after the time's id bound are found on
     * the id index; seq order can differ from id order by the events in flight together, so the
     * first in seq order is looked for among the first SINCE_WINDOW of them, not just the first.
     */
    positionAt(tenant: string, time: number): StreamPosition {
      const top = head.get() as number;
      const first = firstSince.get(tenant, `evt_${encodeTime(time, 10)}`) as number | null;
      return seqPosition(first === null ? top : first - 1);
    },
  };
}
