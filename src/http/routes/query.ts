import { z } from "zod";
import { parseDuration } from "../../core/duration.js";
import { parseIsoDate } from "../../core/iso-date.js";
import { typeFilterProblem } from "../../core/type-patterns.js";
import { HttpError } from "../errors.js";

const MAX_LIMIT = 200;

/** The last millisecond an id can hold: ids are ULIDs, whose time is 48 bits of epoch ms. */
export const MAX_TIME = 2 ** 48 - 1;

const TIME_RULE = `epoch milliseconds (0 to ${MAX_TIME}) or an ISO 8601 date or time with Z or an offset, from 1970 on`;

/** Where an input came from: a query parameter, or a field of a JSON body. Each has its code. */
type InputKind = "query" | "body";

function invalid(kind: InputKind, message: string): HttpError {
  return new HttpError(kind === "query" ? "invalid_query" : "invalid_request", message);
}

/** `limit`: a whole number from 1 to 200 written in digits, default 50. */
export function parseLimit(text: string | null): number {
  if (text === null) return 50;
  const n = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) {
    throw new HttpError("invalid_query", `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  return n;
}

/**
 * A time as epoch milliseconds or ISO 8601 (a date, or a time with Z or an offset: one without
 * would be read in the server's zone), between 1970 and the last time an id can hold, since
 * times are also bounds on ids. A number of a JSON body must be whole epoch milliseconds.
 */
export function parseTime(
  name: string,
  input: string | number | null | undefined,
  kind: InputKind = "query",
): number | undefined {
  if (input === null || input === undefined) return undefined;
  let ms: number | undefined;
  if (typeof input === "number") ms = Number.isSafeInteger(input) ? input : undefined;
  else if (/^\d{1,16}$/.test(input)) ms = Number(input);
  else ms = parseIsoDate(input);
  if (ms === undefined || ms < 0 || ms > MAX_TIME) throw invalid(kind, `${name} must be ${TIME_RULE}`);
  return ms;
}

/**
 * A time as `parseTime` takes it, or a duration (`15m`, `1h`, `2d`) meaning that long before
 * `now`, as the CLI takes it.
 */
export function parseTimeOrAgo(
  name: string,
  input: string | number | null | undefined,
  now: number,
  kind: InputKind = "query",
): number | undefined {
  const ago = typeof input === "string" ? durationAgo(input) : undefined;
  return ago !== undefined && ago <= now ? now - ago : parseTime(name, input, kind);
}

/** A duration written as one (`15m`, `1h`, `2d`) that a time can be that long before: its ms. */
function durationAgo(text: string): number | undefined {
  if (!/^\d+(\.\d+)?(ms|s|m|h|d)$/.test(text)) return undefined;
  const ago = parseDuration(text);
  return ago !== undefined && ago <= MAX_TIME ? ago : undefined;
}

/** A text input matched against stored text: a NUL character, which no database text holds, is refused. */
export function parseText(name: string, text: string | null, kind: InputKind = "query"): string | undefined {
  if (text === null) return undefined;
  if (text.includes("\u0000")) throw invalid(kind, `${name} must not contain a NUL character`);
  return text;
}

/** Whether `text` is an id of this kind: the prefix and a ULID (whose first character is at most 7). */
export function isId(text: string, prefix: "evt" | "dlv"): boolean {
  return text.length === 30 && text.startsWith(`${prefix}_`) && ULID.test(text.slice(4));
}

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** An event id given as a query parameter (`event=`). */
export function parseEventId(name: string, text: string | null): string | undefined {
  if (text === null) return undefined;
  if (!isId(text, "evt")) throw new HttpError("invalid_query", `${name} must be an event id (evt_…)`);
  return text;
}

/** An opaque cursor this API gave: the base64url of the last id of a page. */
export function parseCursor(text: string | null, prefix: "evt" | "dlv"): string | undefined {
  if (text === null) return undefined;
  const id = Buffer.from(text, "base64url").toString("utf8");
  if (!isId(id, prefix)) throw new HttpError("invalid_query", "cursor is not one this API gave");
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

/** What the document says of a parameter: what it means, an example, and the form its text takes. */
export interface ParamDoc {
  description: string;
  examples?: readonly string[];
  pattern?: string;
  enum?: readonly string[];
}

/**
 * A query parameter read by `read` (given null when absent): the schema that documents it and
 * validates it, with `read`'s own refusal (code and message) as the issue.
 */
export function queryParam<T>(doc: ParamDoc, read: (text: string | null) => T) {
  return z
    .string()
    .meta({ ...doc })
    .optional()
    .transform((text, ctx) => refusing(ctx, () => read(text ?? null)));
}

/** A path parameter read by `read`, which throws `not_found` for text that can name no record. */
export function pathParam<T>(doc: ParamDoc, read: (text: string) => T) {
  return z
    .string()
    .meta({ ...doc })
    .transform((text, ctx) => refusing(ctx, () => read(text)));
}

/** `read`'s value, or its HttpError as an issue carrying the error's code. */
function refusing<T>(ctx: z.RefinementCtx, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    ctx.addIssue({ code: "custom", message: error.message, params: { code: error.code } });
    return z.NEVER;
  }
}

/** `limit`, documented. */
export const limitQuery = queryParam(
  {
    description: `How many items a page holds: 1 to ${MAX_LIMIT}, default 50.`,
    examples: ["50"],
    pattern: "^[0-9]{1,3}$",
  },
  parseLimit,
);

/** A time query parameter, documented. */
export const timeQuery = (name: string, description: string) =>
  queryParam({ description: `${description}: ${TIME_RULE}.`, examples: ["2026-01-31T00:00:00Z"] }, (t) =>
    parseTime(name, t),
  );

/** A text query parameter matched against stored text, documented. */
export const textQuery = (name: string, description: string, example?: string) =>
  queryParam({ description, ...(example ? { examples: [example] } : {}) }, (t) => parseText(name, t));

/** A page cursor of ids of this kind, documented. */
export const cursorQuery = (prefix: "evt" | "dlv") =>
  queryParam(
    {
      description: "The `nextCursor` of the page before; absent for the first page.",
      examples: ["ZXZ0XzAxSjBBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"],
    },
    (t) => parseCursor(t, prefix),
  );

/** A path id of this kind; anything that is not one names no record. */
export const idPath = (prefix: "evt" | "dlv", noun: string, example: string) =>
  pathParam({ description: `The ${noun}'s id (\`${prefix}_\` and a ULID).`, examples: [example] }, (t) => {
    if (!isId(t, prefix)) throw new HttpError("not_found", `no ${noun} has that id`);
    return t;
  });

/** An example event id and delivery id, for the document. */
export const EXAMPLE_EVENT_ID = "evt_01JHQ8Y6V8Z3K5M2N4P6R8T0VW";
export const EXAMPLE_DELIVERY_ID = "dlv_01JHQ8Y6VA1B2C3D4E5F6G7H8J";

/** The JSON schema of a page of items. */
export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.strictObject({
    data: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Give it as `cursor` for the next page; null on the last." }),
  });

/** The longest text a body search (`q`) takes. */
export const MAX_SEARCH_TEXT = 200;

/** `type` of the events list and stream: an event type in either spelling, or a glob. */
export const typeQueryParam = queryParam(
  {
    description:
      "Only events of this type, in either of Vercel's spellings; `*` matches any run of characters (`deployment.*`, `*.created`).",
    examples: ["deployment.*"],
  },
  (text) => {
    const value = parseText("type", text);
    const problem = value ? typeFilterProblem(value) : null;
    if (problem) throw new HttpError("invalid_query", problem);
    return value || undefined;
  },
);

/**
 * `since` of the events list: a time as `timeQuery` takes it, or a duration (`15m`, `1h`, `2d`)
 * meaning that long before now, which the route reads off its clock.
 */
export const sinceQuery = queryParam(
  {
    description: `Only events received at or after this time: ${TIME_RULE}; or a duration before now, such as 15m, 1h or 2d.`,
    examples: ["2026-01-31T00:00:00Z", "1h"],
  },
  (text): number | { ago: number } | undefined => {
    const ago = text === null ? undefined : durationAgo(text);
    return ago !== undefined ? { ago } : parseTime("since", text);
  },
);

/** `q`: text the raw bodies contain. */
export const searchQuery = queryParam(
  {
    description: `Only events whose raw body contains this text (ASCII letters in either case), up to ${MAX_SEARCH_TEXT} characters.`,
    examples: ["my-app"],
  },
  (text) => {
    const value = parseText("q", text);
    if (value !== undefined && value.length > MAX_SEARCH_TEXT)
      throw new HttpError("invalid_query", `q must be at most ${MAX_SEARCH_TEXT} characters`);
    return value || undefined;
  },
);
