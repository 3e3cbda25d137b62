import type { Context } from "hono";
import { OperationError } from "../../operations/errors.js";
import type { EventListFilters, StreamFilter, StreamStart } from "../../operations/index.js";
import { listQuery, pageSizeOf, timeOf } from "./list-params.js";
import type { PageScope } from "./page-scope.js";

/** Answers with a tenant's event stream as Server-Sent Events (the API's stream, served to the console). */
export type EventStreamAnswer = (
  c: Context,
  tenant: string,
  start: StreamStart,
  filter: StreamFilter,
) => Promise<Response>;

/** The filters of the events list, as the query string gave them (shown back as typed). */
export interface EventFilters {
  tenant: string;
  /** An exact type in either spelling, or a glob (`deployment.*`). */
  type: string;
  source: string;
  /** Received from (inclusive) and before (exclusive): `YYYY-MM-DDTHH:MM`, UTC, or empty. */
  since: string;
  until: string;
  /** An event id or Vercel's id of an event. */
  id: string;
  /** Text the raw bodies contain. */
  q: string;
  /** Events a page shows. */
  limit: number;
}

/** The longest search text the form takes. */
export const MAX_SEARCH = 200;

/** The filters in a query string; a malformed one is a 400 page. */
export function eventFiltersOf(query: (name: string) => string | undefined, tenant: string): EventFilters {
  const text = (name: string) => (query(name) ?? "").trim();
  const filters: EventFilters = {
    tenant,
    type: text("type"),
    source: text("source"),
    since: text("since"),
    until: text("until"),
    id: text("id"),
    // Searched as typed: spaces at its ends may be what is looked for.
    q: query("q") ?? "",
    limit: pageSizeOf(text("limit"), "events"),
  };
  if (filters.q.length > MAX_SEARCH)
    throw new OperationError("invalid_request", `Search: at most ${MAX_SEARCH} characters.`);
  if (filters.q.includes("\u0000") || filters.source.includes("\u0000") || filters.id.includes("\u0000"))
    throw new OperationError("invalid_request", "A filter cannot hold a NUL character.");
  return filters;
}

/** What the operation is asked for: times in ms; the type as typed (an exact type or a glob). */
export function listFilters(f: EventFilters, before: string | undefined): EventListFilters {
  return {
    source: f.source || undefined,
    type: f.type || undefined,
    since: timeOf("since", f.since),
    until: timeOf("until", f.until),
    id: f.id || undefined,
    text: f.q || undefined,
    before,
    limit: f.limit,
  };
}

/** Whether the list can go live: its first page, over events still to come (no end time, id or search). */
export function canGoLive(f: EventFilters, cursor: string | undefined): boolean {
  return cursor === undefined && f.until === "" && f.id === "" && f.q === "";
}

/**
 * The link of the list (or of its live stream) with `filters` and extra parameters (a cursor,
 * live), in `scope`: under its base, with the tenant only where `?tenant=` names it.
 */
export function eventsLink(
  scope: PageScope,
  filters: EventFilters,
  extra: Record<string, string> = {},
  path: "/events" | "/events/live" = "/events",
): string {
  const { tenant, limit, type, source, since, until, id, q } = filters;
  const query = listQuery(
    scope.tenantFixed ? null : tenant,
    { type, source, since, until, id, q },
    limit,
    extra,
  );
  return `${scope.base}${path}${query}`;
}
