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
import type { RunSetting } from "../core/run-settings.js";
import type { EventSummary, IncomingEvent, IngestResult, StoredEvent } from "../core/types.js";
import type { ActionStore } from "./actions-port.js";

/** Filters and paging for a tenant's event list, newest first. */
export interface EventQuery {
  source?: string | undefined;
  /** Canonical type. */
  type?: string | undefined;
  /** A type glob (`*` any run of characters), as a stream's `type` takes it. */
  typeGlob?: TypeGlob | undefined;
  /** Only events received at or after this time (epoch ms). */
  since?: number | undefined;
  /** Only events received before this time (epoch ms). */
  until?: number | undefined;
  /** Only the event with this id, or with this sender's id (`external_id`). */
  id?: string | undefined;
  /** Only events older than this event id (the cursor of the previous page). */
  before?: string | undefined;
  limit: number;
}

/**
 * A type glob and the catalog's canonical types some spelling of which it matches: an event
 * matches when its type is one of those, or its type or original type matches the glob (a type the
 * catalog does not know, or did not when the event came).
 */
export interface TypeGlob {
  glob: string;
  known: readonly string[];
}

/** A search of the raw bodies of a tenant's events, within the list's filters. */
export interface EventSearch extends EventQuery {
  /** Text the body's bytes contain (ASCII letters of either case). */
  text: string;
  /** The most events one search examines, newest first; `limit` bounds the matches. */
  scanLimit: number;
}

/** What one bounded search found. */
export interface EventSearchPage {
  /** Matching events, newest first, at most the query's `limit`. */
  events: EventSummary[];
  /**
   * The oldest event the search examined when it stopped at `scanLimit`, older ones left
   * unexamined (search on `before` it); null when it examined every event the filters let through.
   */
  scannedTo: string | null;
}

/**
 * Where an event stands in the order a stream reads events: text that sorts as that order does
 * (fixed-width digits), made and read by the store; callers only compare positions as text. A
 * position need not be an event's: "now" and how far a read reached are positions too.
 */
export type StreamPosition = string;

/** An event as a stream reads it, with its position. */
export interface StreamedEvent {
  event: EventSummary;
  position: StreamPosition;
}

/** One page of a tenant's stream. */
export interface StreamPage {
  /** Events after the position read from, in stream order. */
  events: StreamedEvent[];
  /**
   * How far the read reached: the last event's position when the page is full; else a position
   * up to which the tenant has no event but those returned, and never will have (so a reader
   * goes on from here and misses nothing).
   */
  reached: StreamPosition;
}

/** A destination as the store keys it: its tenant's, by slug. */
export interface DestinationKey {
  tenant: string;
  destination: string;
}

/** How many pending deliveries of one destination a worker wants, and the destination's limits. */
export interface ClaimRequest {
  tenant: string;
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
  tenant: string;
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

/** Filters and paging for a tenant's delivery list, newest first. */
export interface DeliveryQuery {
  status?: DeliveryStatus | undefined;
  destination?: string | undefined;
  eventId?: string | undefined;
  /** The event's canonical type. */
  type?: string | undefined;
  /** Last changed at or after (ms): for a finished delivery, when it finished, as `RequeueQuery`. */
  since?: number | undefined;
  /** Last changed before (ms). */
  until?: number | undefined;
  /** A delivery id: only deliveries created before it (the cursor of a page). */
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

/** What the metrics endpoint reads from the store: every tenant's deliveries together. */
export interface QueueStats {
  byStatus: Record<DeliveryStatus, number>;
  pendingByDestination: Record<string, number>;
  oldestPendingCreatedAt: number | null;
}

/** How many rows of each kind `purgeTenant` deleted. */
export interface TenantPurge {
  events: number;
  deliveries: number;
  attempts: number;
  destinationStates: number;
  sources: number;
  destinations: number;
  routes: number;
  /** Runs of deployment integration actions, and their reports to Vercel. */
  actionRuns: number;
  actionReports: number;
}

/** How many rows of each kind removing an installation deleted: its tenant's records and its browser sessions. */
export interface InstallationCounts extends TenantPurge {
  sessions: number;
}

/** An installation's projects: every project of its account, or those named. */
export type InstallationProjects = "all" | string[];

/**
 * An installation of the Vercel integration. It is a tenant: its id (Vercel's `configurationId`,
 * `icfg_…`) is the tenant of everything it owns. A removed one stays as its audit record.
 */
export interface Installation {
  id: string;
  teamId: string | null;
  userId: string;
  /** Sealed by the caller (core/secret-box.ts); the store keeps it opaque. Null once removed. */
  accessToken: string | null;
  scopes: string[];
  projects: InstallationProjects;
  /** Which deployment actions and checks run for it (core/run-settings.ts); empty: all, everywhere. */
  runSettings: RunSetting[];
  status: "active" | "removed";
  createdAt: number;
  updatedAt: number;
  removedAt: number | null;
  removedCounts: InstallationCounts | null;
}

/** An installation as listed: never its token. */
export type InstallationSummary = Omit<Installation, "accessToken">;

/** What an install (or a repeated install of the same id) stores. */
export interface InstallationGrant {
  id: string;
  teamId: string | null;
  userId: string;
  /** Sealed by the caller. */
  accessToken: string;
  scopes: string[];
  projects: InstallationProjects;
}

/** What a later event changes on an active installation; an absent field stays. */
export interface InstallationChanges {
  teamId?: string | null;
  scopes?: string[];
  projects?: InstallationProjects;
}

/**
 * Installations, the OAuth states of the install flow and browser sessions (engine-wide:
 * installations are tenants themselves). States and sessions are kept by a hash of their value
 * (core/token-hash.ts), never the value itself.
 */
export interface InstallationStore {
  /**
   * Stores a new installation, or replaces an existing one's token, scopes, projects, team and
   * user and makes it active again (its createdAt stays).
   */
  upsert(grant: InstallationGrant, now: number): Promise<Installation>;
  /** One installation, active or removed, or null. */
  get(id: string): Promise<Installation | null>;
  /** Installations newest first, removed ones too; `cursor` is the previous page's nextCursor. */
  list(
    cursor: string | null,
    limit: number,
  ): Promise<{ data: InstallationSummary[]; nextCursor: string | null }>;
  /** The active installations of a team. */
  findByTeam(teamId: string): Promise<Installation[]>;
  /** The active installations of a personal account: those of `userId` with no team. */
  findByUser(userId: string): Promise<Installation[]>;
  /** Changes an active installation; null when there is no active one of that id. */
  update(id: string, changes: InstallationChanges, now: number): Promise<Installation | null>;
  /**
   * Replaces which deployment actions and checks run for an active installation, on its own row
   * only; null when there is no active one of that id. The store keeps them as given.
   */
  setRunSettings(id: string, settings: readonly RunSetting[], now: number): Promise<Installation | null>;
  /**
   * Removes an active installation in one transaction: deletes everything its tenant owns (as
   * `purgeTenant`) and its sessions, clears its token and run settings and keeps it as `removed`
   * with the time and the counts. Null when there is no active installation of that id.
   */
  remove(id: string, now: number): Promise<InstallationCounts | null>;
  /** Keeps an OAuth state (by its hash) bound to a browser until `expiresAt`. */
  createState(hash: string, binding: string, expiresAt: number): Promise<void>;
  /**
   * Uses a state up: true once, before its expiry and from the browser it is bound to. Any
   * consume deletes the state, so a second one is false.
   */
  consumeState(hash: string, binding: string, now: number): Promise<boolean>;
  /** Starts a browser session (by its hash) for an installation; false when none of that id is active. */
  createSession(hash: string, tenant: string, expiresAt: number): Promise<boolean>;
  /**
   * Starts a console session (by its hash), filed under `CONSOLE_SESSION_OWNER`: the admin's, bound
   * to no installation.
   */
  createConsoleSession(hash: string, expiresAt: number): Promise<void>;
  /** The tenant of an unexpired session (`CONSOLE_SESSION_OWNER` for a console session), or null. */
  getSession(hash: string, now: number): Promise<string | null>;
  /** Ends a session; false when there was none. */
  deleteSession(hash: string): Promise<boolean>;
  /** Deletes states and sessions expired at `now` (the retention pass); counts them. */
  purgeExpired(now: number): Promise<{ states: number; sessions: number }>;
}

/**
 * The owner a console session is filed under: not a valid tenant name (`*` is not allowed in one),
 * so no installation's session, lookup or purge can match it.
 */
export const CONSOLE_SESSION_OWNER = "*console";

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

/** The kinds of run-time topology rows, each keyed (tenant, slug). */
export const TOPOLOGY_KINDS = ["sources", "destinations", "routes"] as const;
export type TopologyKind = (typeof TOPOLOGY_KINDS)[number];

/** A source, destination or route defined at run time. */
export interface TopologyRecord {
  tenant: string;
  slug: string;
  /** The definition as the config schemas validate it; the store keeps it as JSON, unread. */
  definition: unknown;
  /**
   * Source secrets or a destination's signing secrets, kept apart from the definition; null for
   * none. The store keeps them as given: callers seal them (core/secret-box.ts) before they come here.
   */
  secrets: readonly string[] | null;
  createdAt: number;
  updatedAt: number;
}

/** Every tenant's topology rows at one version. */
export interface TopologyRead {
  version: number;
  sources: TopologyRecord[];
  destinations: TopologyRecord[];
  routes: TopologyRecord[];
}

/** One tenant's rows of one topology kind. Each write bumps the store's topology version in its transaction. */
export interface TopologyTable {
  list(): Promise<TopologyRecord[]>;
  get(slug: string): Promise<TopologyRecord | null>;
  /** Adds a row; null when the tenant has one of that slug already (or, for a source, any tenant has). */
  create(
    slug: string,
    definition: unknown,
    secrets: readonly string[] | null,
    now: number,
  ): Promise<TopologyRecord | null>;
  /** Replaces a row's definition and secrets; null when the tenant has none of that slug. */
  update(
    slug: string,
    definition: unknown,
    secrets: readonly string[] | null,
    now: number,
  ): Promise<TopologyRecord | null>;
  /** Removes a row; false when the tenant has none of that slug. */
  delete(slug: string): Promise<boolean>;
}

/** One attempt as a destination's recent health counts it. */
export interface RecentAttempt {
  destination: string;
  startedAt: number;
  durationMs: number;
  /** The response's status, or null when none came (see `error`). */
  status: number | null;
  error: string | null;
  errorMessage: string | null;
}

/** One minute of a tenant's activity: events received, attempts started and how they ended. */
export interface MinuteActivity {
  /** The minute's start (epoch ms, a multiple of 60,000). */
  minute: number;
  events: number;
  /** Attempts answered 2xx. */
  succeeded: number;
  /** Every other attempt: another status, or no answer. */
  failed: number;
}

/**
 * One tenant's records. Every read and write of this view is scoped by its tenant: an id of
 * another tenant's event or delivery finds nothing and changes nothing.
 */
export interface TenantStore {
  readonly tenant: string;
  /** Lists the tenant's events newest first. */
  listEvents(query: EventQuery): Promise<EventSummary[]>;
  /** Searches the tenant's events' bodies, newest first, examining at most `scanLimit` of them. */
  searchEvents(query: EventSearch): Promise<EventSearchPage>;
  /** One of the tenant's events with its raw bytes, or null. */
  getEvent(id: string): Promise<StoredEvent | null>;
  /**
   * The tenant's events after `after` in stream order, at most `limit`. Stream order is commit
   * order as far as a reader can tell: an event is returned only once no transaction still
   * running can commit one before it, so reading on from `reached` never misses an event.
   */
  readStream(after: StreamPosition, limit: number): Promise<StreamPage>;
  /** The stream position of one of the tenant's events, or null. */
  streamPositionOf(id: string): Promise<StreamPosition | null>;
  /** A position before the tenant's events received at or after `time` (a stream from a time). */
  streamPositionAt(time: number): Promise<StreamPosition>;
  /** Lists the tenant's deliveries newest first. */
  listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]>;
  /** One of the tenant's deliveries with its attempts, or null. */
  getDelivery(id: string): Promise<{ delivery: DeliveryRecord; attempts: AttemptRecord[] } | null>;
  /** Makes a delivery pending and due now (a manual retry); null when the tenant has no such delivery. */
  retryDelivery(id: string, now: number, deadlineAt: number): Promise<DeliveryRecord | null>;
  /** Adds deliveries for one of the tenant's stored events (a replay); false when it has no such event. */
  addDeliveries(eventId: string, deliveries: readonly NewDelivery[], now: number): Promise<boolean>;
  /** Puts the tenant's matching finished deliveries back in the queue (bulk replay); counts them on a dry run. */
  requeueDeliveries(
    query: RequeueQuery,
    now: number,
    deadlineFor: (destination: string) => number,
  ): Promise<{ matched: number; enqueued: number }>;
  /** The stored states of the tenant's destinations (a destination never attempted may have none). */
  listDestinationStates(): Promise<DestinationState[]>;
  /** How many of the tenant's deliveries are pending, by destination slug. */
  pendingByDestination(): Promise<Record<string, number>>;
  /**
   * The tenant's attempts started at or after `since`, newest first, at most `limit`: what a
   * destination's recent health is computed from.
   */
  recentAttempts(since: number, limit: number): Promise<RecentAttempt[]>;
  /**
   * The tenant's events received and attempts started in [since, until), counted per minute,
   * oldest first; a minute with neither is left out. Read by time range on indexes (the events'
   * ids, `attempts.started_at`): the cost follows the range, not the table.
   */
  activityByMinute(since: number, until: number): Promise<MinuteActivity[]>;
  /** How many of the tenant's deliveries have `status`, counted on the (tenant, status) index. */
  countDeliveries(status: DeliveryStatus): Promise<number>;
  /** Upserts one of the tenant's destination states; a state of another tenant is refused. */
  saveDestinationState(state: DestinationState): Promise<void>;
  /** The tenant's run-time sources, destinations and routes. */
  readonly sources: TopologyTable;
  readonly destinations: TopologyTable;
  readonly routes: TopologyTable;
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
  /** The view of one tenant's records, through which every tenant-owned read and write goes. */
  forTenant(tenant: string): TenantStore;
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
  nextDueAt(destinations: readonly DestinationKey[]): Promise<number | null>;
  /** A position every event stored from now on comes after (engine-wide: it names no event). */
  streamHead(): Promise<StreamPosition>;
  /** Every tenant's destination states (engine-wide, for the worker's lanes). */
  listAllDestinationStates(): Promise<DestinationState[]>;
  /** Counts every tenant's deliveries (metrics are of the whole engine). */
  queueStats(): Promise<QueueStats>;
  /**
   * Deletes finished deliveries, their attempts and events older than `cutoff` (an event with a
   * pending delivery stays), and action runs ended before it with their reports (a run with a
   * report still pending stays); counts the events and deliveries.
   */
  purge(cutoff: number): Promise<{ events: number; deliveries: number }>;
  /** Deletes everything `tenant` owns, in one transaction (an uninstalled integration); counts the rows. */
  purgeTenant(tenant: string): Promise<TenantPurge>;
  /** Installations of the Vercel integration, their OAuth states and browser sessions (engine-wide). */
  readonly installations: InstallationStore;
  /** Runs of deployment integration actions and their reports to Vercel (engine-wide). */
  readonly actions: ActionStore;
  /**
   * Where the backend can tell other processes about new work (PostgreSQL's LISTEN/NOTIFY):
   * calls `onWork` when another node created due deliveries. Absent: the worker polls.
   */
  subscribeWork?(onWork: () => void): Promise<() => Promise<void>>;
  /** A counter bumped in the transaction of every change to a topology row, of any tenant. */
  topologyVersion(): Promise<number>;
  /** Every tenant's topology rows and the version they were read at, in one consistent read (admin-wide). */
  readAllTopology(): Promise<TopologyRead>;
  /**
   * Where the backend can tell other processes of a topology change (PostgreSQL's LISTEN/NOTIFY):
   * calls `onChange` after another node committed one. Absent: compare `topologyVersion()`.
   */
  subscribeTopology?(onChange: () => void): Promise<() => Promise<void>>;
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
