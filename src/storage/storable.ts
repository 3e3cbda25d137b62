import { wellFormed } from "../core/text.js";
import type { IncomingEvent } from "../core/types.js";

// What every store writes for text that came from outside (a sender's JSON, a destination's
// answer, a transform's error): the storable-text rule of core/text.ts, applied alike on SQLite
// and PostgreSQL, so both keep the same thing and neither refuses a row for its characters.

/** An event's text columns as stored; `externalId` is also its dedupe key. */
export function eventText(e: IncomingEvent): {
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
