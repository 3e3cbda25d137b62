import { wellFormed } from "../core/text.js";
import type { IncomingEvent } from "../core/types.js";
import type { DeliveryOutcome } from "./port.js";

// What every store writes for text that came from outside (a sender's JSON, a destination's
// answer, a transform's error): the storable-text rule of core/text.ts, applied alike on SQLite
// and PostgreSQL, so both keep the same thing and neither refuses a row for its characters.

/** An event's text columns as stored; `externalId` is also its dedupe key. */
export function eventText(e: Omit<IncomingEvent, "body">): {
  externalId: string | null;
  type: string;
  originalType: string;
  schemaIssues: string | null;
} {
  return {
    externalId: e.externalId === null ? null : wellFormed(e.externalId),
    type: wellFormed(e.type),
    originalType: wellFormed(e.originalType),
    schemaIssues: e.schemaIssues.length > 0 ? JSON.stringify(e.schemaIssues.map(wellFormed)) : null,
  };
}

const storable = (text: string | null) => (text === null ? null : wellFormed(text));

/**
 * An outcome as stored: its error texts (an attempt's message, `lastError`, a transform's error)
 * and a text response body under the storable-text rule. A base64 body is storable as it is.
 */
export function storableOutcome(o: DeliveryOutcome): DeliveryOutcome {
  const a = o.attempt;
  const lastError = storable(o.lastError);
  const errorMessage = a && storable(a.errorMessage);
  const body = a && (a.responseBodyEncoding === "base64" ? a.responseBody : storable(a.responseBody));
  if (lastError === o.lastError && (!a || (errorMessage === a.errorMessage && body === a.responseBody))) {
    return o;
  }
  return {
    ...o,
    lastError,
    attempt: a && { ...a, errorMessage: errorMessage ?? null, responseBody: body ?? null },
  };
}

/**
 * What is stored of an outcome the database refused in full: the status, the counts, the schedule
 * and the destination's change as decided, and the attempt without its response, its error text
 * saying so. The delivery then leaves `pending` and its lease as decided: an outcome not recorded
 * would have it sent again once the lease expired, however many times that repeats.
 */
export function reducedOutcome(o: DeliveryOutcome, error: unknown): DeliveryOutcome {
  const why = wellFormed(error instanceof Error ? error.message : String(error)).slice(0, 200);
  const note = `the outcome could not be stored in full: ${why}`;
  return {
    ...o,
    lastError: o.lastError === null ? null : note,
    attempt: o.attempt && {
      ...o.attempt,
      errorMessage: note,
      responseHeaders: null,
      responseBody: null,
      responseBodyEncoding: null,
    },
  };
}
