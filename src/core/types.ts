/**
 * Glossary
 *
 * - source: a named ingest endpoint (`POST /ingest/:source`) with a verification scheme and secrets.
 * - tenant: the owner of every record. Everything defined in the config file belongs to `default`;
 *   installations of the Vercel integration become tenants of their own.
 * - event: one request accepted by a source, stored with its raw bytes exactly as received.
 * - externalId: the sender's id for the event (Vercel's `id`, Standard Webhooks' `webhook-id`);
 *   a repeat of an externalId already stored for the same tenant and source is a duplicate.
 * - type / originalType: the canonical event type (one spelling for Vercel's two) and the type
 *   string exactly as the sender wrote it.
 */

import type { RunCommand } from "./action-types.js";
import type { NewDelivery } from "./delivery-types.js";

/** The tenant that owns everything defined in the config file. */
export const DEFAULT_TENANT = "default";

/** The built-in source of Switchyard's own events (`switchyard.delivery.failed`). */
export const INTERNAL_SOURCE = "switchyard";

/** The source of the Vercel integration's webhook events (`/integrations/vercel/webhook`). */
export const INTEGRATION_SOURCE = "vercel-integration";

/** An event as listed by the API: everything but the payload. */
export interface EventSummary {
  id: string;
  tenant: string;
  source: string;
  externalId: string | null;
  type: string;
  originalType: string;
  receivedAt: number;
  unknownType: boolean;
  schemaIssues: string[];
}

/** An accepted, verified event on its way to the store, with the deliveries its routes planned. */
export interface IncomingEvent extends EventSummary {
  body: Uint8Array;
  /** Created in the same transaction as the event, and only if the event is not a duplicate. */
  deliveries: NewDelivery[];
  /** Deployment action and check commands the event carries, applied in its transaction, only if it is not a duplicate. */
  actions?: RunCommand[];
}

/** What the store says about one incoming event once its transaction has committed. */
export interface IngestResult {
  eventId: string;
  duplicate: boolean;
}

/** A stored event with the bytes it arrived as. */
export interface StoredEvent extends EventSummary {
  body: Uint8Array;
}
