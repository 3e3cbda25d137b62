import { OperationError } from "../../operations/errors.js";

/** A list's page size when none is asked for (kept out of links), and the most a page holds. */
export const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

/** A time as a `datetime-local` input sends it (no zone: UTC), or an ISO time with its zone. */
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** A list's `?limit=` (empty: the default); a bad one is a 400 page naming what a page holds. */
export function pageSizeOf(text: string, items: string): number {
  if (text === "") return DEFAULT_LIMIT;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
    throw new OperationError("invalid_request", `A page holds 1 to ${MAX_LIMIT} ${items}.`);
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

/**
 * The query string of a list: its tenant (unless the default, or null when the session fixes it), each filter given, its page size
 * (unless the default), then `extra` (a cursor, a notice, live).
 */
export function listQuery(
  tenant: string | null,
  filters: Record<string, string>,
  limit: number,
  extra: Record<string, string> = {},
): string {
  const params = new URLSearchParams();
  if (tenant !== null && tenant !== "default") params.set("tenant", tenant);
  for (const [name, value] of Object.entries(filters)) if (value) params.set(name, value);
  if (limit !== DEFAULT_LIMIT) params.set("limit", String(limit));
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : "";
}
