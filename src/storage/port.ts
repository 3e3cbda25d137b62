import type {
  AttemptRecord,
  ClaimedDelivery,
  DeliveryRecord,
  DeliveryStatus,
  DestinationState,
  NewDelivery,
  TransformOutcome,
} from "../core/delivery-types.js";
import type { DestinationChange } from "../core/destination-state.js";
import type { Rate } from "../core/rate-limit.js";
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

/** How many pending deliveries of one destination a worker wants, and the destination's limits. */
export interface ClaimRequest {
  destination: string;
  /** How many this worker can start now. */
  limit: number;
  /** One at a time, oldest first. */
  fifo: boolean;
  /** The destination's limits; a shared store enforces them across all nodes. */
  maxConcurrency: number;
  rate: Rate | null;
}

/** A destination with due work that a claim did not take. */
export interface HeldDestination {
  destination: string;
  /** Nothing is claimable before this time; null: not until other work finishes. */
  until: number | null;
}

/** What a claim took, and what it learned about the destinations it looked at. */
export interface ClaimResult {
  deliveries: ClaimedDelivery[];
  /** Destinations whose limits (or a fifo head not yet due or in flight) held back due work. */
  held: HeldDestination[];
  /** Destination states read while claiming (shared stores): fresher than a worker's copy. */
  states: DestinationState[];
}

/** What became of a claimed delivery: the attempt made (if any) and the delivery's new state. */
export interface DeliveryOutcome {
  deliveryId: string;
  attempt: AttemptRecord | null;
  status: DeliveryStatus;
  nextAttemptAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  /** What the attempt tells about its destination, applied to the stored state with it. */
  destinationChange: DestinationChange | null;
  /** What the route's transform did this time; absent or null leaves the recorded one. */
  transform?: TransformOutcome | null;
  /** Switchyard's own event about this outcome (`switchyard.delivery.failed`), stored in the same transaction. */
  alert: IncomingEvent | null;
}

/** Filters and paging for the delivery list, newest first. */
export interface DeliveryQuery {
  status?: DeliveryStatus | undefined;
  destination?: string | undefined;
  eventId?: string | undefined;
  before?: string | undefined;
  limit: number;
}

/** Which dead letters (or successes) a bulk replay puts back in the queue. */
export interface RequeueQuery {
  status: "failed" | "succeeded";
  destination?: string | undefined;
  type?: string | undefined;
  since?: number | undefined;
  until?: number | undefined;
  dryRun: boolean;
}

/** What the metrics endpoint reads from the store. */
export interface QueueStats {
  byStatus: Record<DeliveryStatus, number>;
  pendingByDestination: Record<string, number>;
  oldestPendingCreatedAt: number | null;
}

/** What a backend can do natively, declared once so callers never sniff the driver. */
export interface StoreCapabilities {
  /** The backend name, for logs and `/readyz`. */
  dialect: "sqlite" | "postgres";
  /** Several processes may share the store (what `--role ingest|worker` needs). */
  multiNode: boolean;
  /**
   * The store's claim holds each destination to its limits (concurrency, rate) across every node:
   * a worker keeps no token bucket of its own.
   */
  enforcesLimitsInClaim: boolean;
  /** Every lease found at start was left by a previous run of the one process the store serves. */
  releaseAllLeasesAtStart: boolean;
  /**
   * Only this process's worker claims from the store, and it is told of all new work: it may know
   * that the store holds nothing due for a destination, skip claims that would find nothing, and
   * hand new deliveries off in memory.
   */
  soleClaimer: boolean;
  /** Other processes change destination states (enable, disable, a circuit): a worker re-reads them. */
  sharedDestinationStates: boolean;
  /**
   * Group commits of ingested events the store takes at once: one for a single writer; more where
   * each commit waits on a round trip and a WAL flush that other connections can overlap.
   */
  ingestCommitsInFlight: number;
}

/** Raised by a store that could not commit or answer; ingest maps it to 503 so senders retry. */
export class StoreUnavailableError extends Error {
  /** Why, in words safe to show without authentication (`/readyz`): no address, path or credential. */
  readonly reason: string | undefined;

  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super(message, options);
    this.name = "StoreUnavailableError";
    this.reason = options?.reason;
  }
}

/**
 * The storage port: domain operations only, never SQL or a driver handle. Every write resolves
 * after its transaction is durably committed.
 */
export interface Store {
  readonly capabilities: StoreCapabilities;
  /** The migrations this store applied when it opened (none when the schema was current). */
  readonly appliedMigrations: readonly number[];
  /** Stores events in one transaction; a repeat of a stored (tenant, source, externalId) is a duplicate. */
  insertEvents(events: readonly IncomingEvent[]): Promise<IngestResult[]>;
  /** Lists events newest first. */
  listEvents(query: EventQuery): Promise<EventSummary[]>;
  /** One event with its raw bytes, or null. */
  getEvent(id: string): Promise<StoredEvent | null>;
  /**
   * Claims due pending deliveries under a lease; fifo destinations yield at most their oldest
   * pending one, if due. A multi-node store also holds each destination to its limits across nodes.
   */
  claimDeliveries(
    requests: readonly ClaimRequest[],
    now: number,
    leaseUntil: number,
    owner: string,
  ): Promise<ClaimResult>;
  /** Records attempts and new delivery states, in one transaction. */
  recordOutcomes(outcomes: readonly DeliveryOutcome[], now: number): Promise<void>;
  /** Ends the leases of `owner` (or of everyone, when the store serves one node and it starts). */
  releaseLeases(owner: string | null): Promise<void>;
  /** The earliest time a pending, unleased delivery of these destinations becomes due, or null. */
  nextDueAt(destinations: readonly string[]): Promise<number | null>;
  listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]>;
  getDelivery(id: string): Promise<{ delivery: DeliveryRecord; attempts: AttemptRecord[] } | null>;
  /** Makes a delivery pending and due now (a manual retry); null when there is no such delivery. */
  retryDelivery(id: string, now: number, deadlineAt: number): Promise<DeliveryRecord | null>;
  /** Adds deliveries for a stored event (a replay). */
  addDeliveries(
    tenant: string,
    eventId: string,
    deliveries: readonly NewDelivery[],
    now: number,
  ): Promise<void>;
  /** Puts matching finished deliveries back in the queue (bulk replay); counts them on a dry run. */
  requeueDeliveries(
    query: RequeueQuery,
    now: number,
    deadlineFor: (destination: string) => number,
  ): Promise<{ matched: number; enqueued: number }>;
  getDestinationStates(): Promise<DestinationState[]>;
  saveDestinationState(state: DestinationState): Promise<void>;
  queueStats(): Promise<QueueStats>;
  /** Deletes finished deliveries, their attempts and events older than `cutoff`; an event with a pending delivery stays. */
  purge(cutoff: number): Promise<{ events: number; deliveries: number }>;
  /**
   * Where the backend can tell other processes about new work (PostgreSQL's LISTEN/NOTIFY):
   * calls `onWork` when another node created due deliveries. Absent: the worker polls.
   */
  subscribeWork?(onWork: () => void): Promise<() => Promise<void>>;
  /**
   * Resolves when the store answers queries and can commit: after a commit that failed for lack
   * of space or I/O (SQLite) or for the database being unreachable (PostgreSQL), only once a
   * commit, or a small probe write made here, has succeeded again. Rejects with a
   * `StoreUnavailableError` whose `reason` says why.
   */
  ping(): Promise<void>;
  /** Finishes what is in flight and releases the store. */
  close(): Promise<void>;
}
