import { HttpError } from "../errors.js";

const MAX_LIMIT = 200;

/** `limit`: 1–200, default 50. */
export function parseLimit(text: string | null): number {
  if (text === null) return 50;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new HttpError("invalid_query", `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return n;
}

/** A time as ISO 8601 or epoch milliseconds. */
export function parseTime(name: string, text: string | null | undefined): number | undefined {
  if (text === null || text === undefined) return undefined;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new HttpError("invalid_query", `${name} must be an ISO 8601 time or epoch milliseconds`);
  return ms;
}

/** An opaque cursor this API gave: the base64url of the last id of a page. */
export function parseCursor(text: string | null, prefix: "evt" | "dlv"): string | undefined {
  if (text === null) return undefined;
  const id = Buffer.from(text, "base64url").toString("utf8");
  if (!new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`).test(id)) {
    throw new HttpError("invalid_query", "cursor is not one this API gave");
  }
  return id;
}

/**
 * One page of a list fetched with `limit + 1` rows: the extra row only says that there is more,
 * and the cursor is the base64url of the page's last id.
 */
export function pageOf<T extends { id: string }, J>(
  items: readonly T[],
  limit: number,
  toJson: (item: T) => J,
) {
  const page = items.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = items.length > limit && last ? Buffer.from(last.id).toString("base64url") : null;
  return { data: page.map(toJson), nextCursor };
}
