import { decodeTime } from "ulidx";
import { globMatches, typeFilterProblem } from "../core/type-patterns.js";
import type { EventSummary } from "../core/types.js";
import type { EventQuery, TenantStore } from "../storage/port.js";
import { eventCatalog, normalizeEventType } from "../vercel/index.js";
import { OperationError } from "./errors.js";

/** The filters of the events list, as the API and the console take them. */
export interface EventListFilters {
  source?: string | undefined;
  /** A type in either of Vercel's spellings, or a glob (`deployment.*`) as the event stream takes. */
  type?: string | undefined;
  /** Received at or after (epoch ms). */
  since?: number | undefined;
  /** Received before (epoch ms). */
  until?: number | undefined;
  /** An event id (`evt_…`) or the sender's id of an event. */
  id?: string | undefined;
  /** Text the raw body contains (ASCII letters of either case): a bounded search. */
  text?: string | undefined;
  /** Older than this event id: the `next` of the page before. */
  before?: string | undefined;
  limit: number;
}

/** A page of the events list. */
export interface EventListPage {
  events: EventSummary[];
  /** The event id to continue before (`before`); null when nothing older can match. */
  next: string | null;
  /**
   * A search that stopped at its bound: the receipt time of the oldest event it examined. Older
   * events were not searched; `next` continues there (even when this page found nothing).
   */
  searchedBackTo: number | null;
}

/** The most events one search examines, newest first, unless set otherwise. */
export const SEARCH_SCAN_LIMIT = 20_000;

/**
 * The store's type filter for `text`: an exact type in either spelling, or a glob with the
 * catalog's types it matches in any spelling (the stream's rule: `compileTypePatterns`). A bad
 * one is refused, naming `type`.
 */
export function typeQuery(text: string | undefined): Pick<EventQuery, "type" | "typeGlob"> {
  if (!text) return {};
  const problem = typeFilterProblem(text);
  if (problem) throw new OperationError("invalid_request", problem);
  if (!text.includes("*")) return { type: normalizeEventType(text).canonical };
  const known = eventCatalog
    .filter((entry) => [entry.type, ...entry.aliases].some((s) => globMatches(text, s)))
    .map((entry) => entry.type);
  return { typeGlob: { glob: text, known } };
}

/** A page of the tenant's events, newest first, filtered; a search examines at most `scanLimit` events. */
export async function listEventPage(
  view: TenantStore,
  f: EventListFilters,
  scanLimit: number,
): Promise<EventListPage> {
  if (f.since !== undefined && f.until !== undefined && f.since > f.until)
    throw new OperationError("invalid_request", "since must not be after until");
  const query: EventQuery = {
    source: f.source || undefined,
    ...typeQuery(f.type),
    since: f.since,
    until: f.until,
    id: f.id || undefined,
    before: f.before,
    // One more than the page: it says there is more.
    limit: f.limit + 1,
  };
  if (!f.text) return pageOf(await view.listEvents(query), f.limit, null);
  const found = await view.searchEvents({ ...query, text: f.text, scanLimit });
  if (found.events.length > f.limit || found.scannedTo === null) return pageOf(found.events, f.limit, null);
  // Every match the scan met is on this page: the next one continues where the scan stopped.
  return {
    events: found.events,
    next: found.scannedTo,
    searchedBackTo: decodeTime(found.scannedTo.slice(4)),
  };
}

function pageOf(rows: EventSummary[], limit: number, searchedBackTo: number | null): EventListPage {
  const events = rows.slice(0, limit);
  const next = rows.length > limit ? (events.at(-1)?.id ?? null) : null;
  return { events, next, searchedBackTo };
}
