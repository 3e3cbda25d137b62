import type { RequeueQuery } from "../../storage/port.js";
import { normalizeEventType } from "../../vercel/index.js";
import { listQuery, pageSizeOf, timeOf } from "./list-params.js";

/** The filters of the dead letters list, as the query string gave them (shown back as typed). */
export interface DeadLetterFilters {
  tenant: string;
  destination: string;
  type: string;
  /** When they died, from (inclusive) and to (exclusive): `YYYY-MM-DDTHH:MM`, UTC, or empty. */
  since: string;
  until: string;
  /** Dead letters a page shows. */
  limit: number;
}

/** The filters in a query string; a malformed one is a 400 page. */
export function filtersOf(query: (name: string) => string | undefined, tenant: string): DeadLetterFilters {
  const text = (name: string) => (query(name) ?? "").trim();
  const filters = {
    tenant,
    destination: text("destination"),
    type: text("type"),
    since: text("since"),
    until: text("until"),
    limit: pageSizeOf(text("limit"), "dead letters"),
  };
  // Checked here, so a bad time is refused before any query runs.
  timeOf("since", filters.since);
  timeOf("until", filters.until);
  return filters;
}

/** Whether any filter narrows the dead letters (else a bulk replay must say "all"). */
export function isFiltered(f: DeadLetterFilters): boolean {
  return f.destination !== "" || f.type !== "" || f.since !== "" || f.until !== "";
}

/** What the store and the bulk replay are asked for: a canonical type, times in ms. */
export function storeFilters(f: DeadLetterFilters): Omit<RequeueQuery, "status" | "dryRun"> {
  return {
    destination: f.destination || undefined,
    type: f.type ? normalizeEventType(f.type).canonical : undefined,
    since: timeOf("since", f.since),
    until: timeOf("until", f.until),
  };
}

/** The query string of the list with `filters` (and extra parameters: a cursor, a notice). */
export function deadLettersQuery(filters: DeadLetterFilters, extra: Record<string, string> = {}): string {
  const { tenant, limit, destination, type, since, until } = filters;
  return listQuery(tenant, { destination, type, since, until }, limit, extra);
}
