/**
 * Type guards that narrow an unknown value to a typed Vercel event: the type must be a spelling
 * of the expected event and the whole envelope must match its schema.
 */
import { eventCatalog, type VercelEventOf, type VercelEventType } from "./catalog.js";
import { lookupEventType } from "./lookup.js";

/** True if `event` is an event of `type` (any spelling) whose envelope matches the schema. */
export function isVercelEvent<T extends VercelEventType>(event: unknown, type: T): event is VercelEventOf<T> {
  if (typeof event !== "object" || event === null) return false;
  const raw = (event as { type?: unknown }).type;
  if (typeof raw !== "string") return false;
  const actual = lookupEventType(raw);
  const expected = lookupEventType(type);
  if (actual === undefined || actual !== expected) return false;
  try {
    return actual.schema.safeParse(event).success;
  } catch {
    return false;
  }
}

/** One guard per canonical event type, e.g. `typeGuards["deployment.created"](body)`. */
export type VercelEventGuards = {
  readonly [T in VercelEventType]: (event: unknown) => event is VercelEventOf<T>;
};

/** A type guard for every canonical event type. */
export const typeGuards: VercelEventGuards = Object.freeze(
  Object.fromEntries(
    eventCatalog.map(({ type }) => [type, (event: unknown) => isVercelEvent(event, type)] as const),
  ),
) as VercelEventGuards;
