import { OperationError } from "../../operations/errors.js";
import type { RequeueQuery } from "../../storage/port.js";
import { normalizeEventType } from "../../vercel/index.js";

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

/** The list's page size when none is asked for (kept out of links), and the most a page holds. */
export const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/** A time as a `datetime-local` input sends it (no zone: UTC), or an ISO time with its zone. */
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** The filters in a query string; a malformed one is a 400 page. */
export function filtersOf(query: (name: string) => string | undefined, tenant: string): DeadLetterFilters {
  const text = (name: string) => (query(name) ?? "").trim();
  const filters = {
    tenant,
    destination: text("destination"),
    type: text("type"),
    since: text("since"),
    until: text("until"),
    limit: limitOf(text("limit")),
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
  const params = new URLSearchParams();
  if (filters.tenant !== "default") params.set("tenant", filters.tenant);
  if (filters.destination) params.set("destination", filters.destination);
  if (filters.type) params.set("type", filters.type);
  if (filters.since) params.set("since", filters.since);
  if (filters.until) params.set("until", filters.until);
  if (filters.limit !== DEFAULT_LIMIT) params.set("limit", String(filters.limit));
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}

function limitOf(text: string): number {
  if (text === "") return DEFAULT_LIMIT;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    throw new OperationError("invalid_request", `A page holds 1 to ${MAX_LIMIT} dead letters.`);
  return n;
}

/** A time of a console filter (`YYYY-MM-DDTHH:MM`, UTC, or ISO 8601 with its zone); a bad one is a 400 page. */
export function timeOf(name: string, text: string): number | undefined {
  if (text === "") return undefined;
  const ms = TIME.test(text) ? Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new OperationError(
      "invalid_request",
      `${name}: a time is YYYY-MM-DDTHH:MM (UTC), or ISO 8601 with its zone.`,
    );
  return ms;
}
