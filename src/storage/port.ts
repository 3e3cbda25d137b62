import type { EventSummary, IncomingEvent, IngestResult, StoredEvent } from "../core/types.js";

/** Filters and paging for the event list, newest first. */
export interface EventQuery {
  tenant?: string | undefined;
  source?: string | undefined;
  /** Canonical type. */
  type?: string | undefined;
  /** Only events received at or after this time (epoch ms). */
  since?: number | undefined;
  /** Only events older than this event id (the cursor of the previous page). */
  before?: string | undefined;
  limit: number;
}

/** What a backend can do natively, declared once so callers never sniff the driver. */
export interface StoreCapabilities {
  /** The backend name, for logs and `/readyz`. */
  dialect: "sqlite" | "postgres";
  /** Several processes may share the store. */
  multiNode: boolean;
}

/** Raised by a store that could not commit or answer; ingest maps it to 503 so senders retry. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

/**
 * The storage port: domain operations only, never SQL or a driver handle. Every write resolves
 * after its transaction is durably committed.
 */
export interface Store {
  readonly capabilities: StoreCapabilities;
  /** Stores events in one transaction; a repeat of a stored (tenant, source, externalId) is a duplicate. */
  insertEvents(events: readonly IncomingEvent[]): Promise<IngestResult[]>;
  /** Lists events newest first. */
  listEvents(query: EventQuery): Promise<EventSummary[]>;
  /** One event with its raw bytes, or null. */
  getEvent(id: string): Promise<StoredEvent | null>;
  /** Resolves when the store answers queries. */
  ping(): Promise<void>;
  /** Finishes what is in flight and releases the store. */
  close(): Promise<void>;
}
