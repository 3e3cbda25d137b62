import { resolve } from "node:path";
import type { NewDelivery } from "../../core/delivery-types.js";
import type { RunSetting } from "../../core/run-settings.js";
import type { IncomingEvent, IngestResult } from "../../core/types.js";
import type { ActionStore } from "../actions-port.js";
import {
  type ClaimRequest,
  type DeliveryOutcome,
  type DestinationKey,
  type InstallationStore,
  type Store,
  StoreUnavailableError,
  type TenantPurge,
  type TenantStore,
  type TopologyRead,
} from "../port.js";
import { type TenantOps, tenantView } from "../tenant-view.js";
import { actionReads } from "./actions.js";
import { activityReads } from "./activity.js";
import { type Connection, openReader } from "./connection.js";
import { prepareDatabaseFiles } from "./data-files.js";
import { installationReads } from "./installations.js";
import { ProcessLock } from "./process-lock.js";
import { reads } from "./reads.js";
import { streamReads } from "./stream.js";
import { topologyReads } from "./topology.js";
import { decodeClaim, encodeOutcomes, packEvents } from "./wire.js";
import { SqliteWriter } from "./writer.js";

/** The embedded store: one writer thread for every write, a read-only connection on this thread. */
export class SqliteStore implements Store {
  readonly capabilities = {
    dialect: "sqlite",
    multiNode: false,
    enforcesLimitsInClaim: false,
    releaseAllLeasesAtStart: true,
    soleClaimer: true,
    sharedDestinationStates: false,
    ingestCommitsInFlight: 1,
  } as const;

  private readonly reads: ReturnType<typeof reads>;
  private readonly activity: ReturnType<typeof activityReads>;
  private readonly stream: ReturnType<typeof streamReads>;
  private readonly tenantOps: TenantOps;
  private readonly topology: ReturnType<typeof topologyReads>;
  readonly installations: InstallationStore;
  readonly actions: ActionStore;

  private constructor(
    private readonly writer: SqliteWriter,
    private readonly reader: Connection,
    readonly appliedMigrations: number[],
    private readonly lock: ProcessLock,
  ) {
    this.reads = reads(reader);
    this.activity = activityReads(reader);
    this.stream = streamReads(reader);
    this.topology = topologyReads(reader);
    this.tenantOps = this.tenantOperations();
    this.installations = this.installationStore();
    this.actions = this.actionStore();
  }

  /**
   * Opens (and migrates) the SQLite file at `path`, creating its files private (0600), and holds
   * its lock until `close`: a database another process serves is refused (DatabaseLockedError).
   */
  static async open(path: string): Promise<SqliteStore> {
    const file = resolve(path);
    prepareDatabaseFiles(file);
    const lock = ProcessLock.acquire(file);
    try {
      const { writer, applied } = await SqliteWriter.start(file);
      try {
        return new SqliteStore(writer, openReader(file), applied, lock);
      } catch (error) {
        await writer.close();
        throw error;
      }
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  insertEvents(events: readonly IncomingEvent[]): Promise<IngestResult[]> {
    const packed = packEvents(events);
    return this.writer.callTransferring("insertEvents", [packed.bodies.buffer as ArrayBuffer], packed);
  }

  forTenant(tenant: string): TenantStore {
    return tenantView(tenant, this.tenantOps);
  }

  async claimDeliveries(requests: readonly ClaimRequest[], now: number, leaseUntil: number, owner: string) {
    return decodeClaim(
      await this.writer.call("claimDeliveries", requests as ClaimRequest[], now, leaseUntil, owner),
    );
  }

  async recordOutcomes(outcomes: readonly DeliveryOutcome[], now: number): Promise<void> {
    if (outcomes.length === 0) return;
    await this.writer.call("recordOutcomes", encodeOutcomes(outcomes), now);
  }

  async releaseLeases(owner: string | null): Promise<void> {
    await this.writer.call("releaseLeases", owner);
  }

  async nextDueAt(destinations: readonly DestinationKey[]): Promise<number | null> {
    return this.read(() => this.reads.nextDueAt(destinations));
  }

  async streamHead() {
    return this.read(() => this.stream.head());
  }

  async listAllDestinationStates() {
    return this.read(() => this.reads.listAllDestinationStates());
  }

  async queueStats() {
    return this.read(() => this.reads.queueStats());
  }

  purge(cutoff: number) {
    return this.writer.call("purge", cutoff);
  }

  async topologyVersion(): Promise<number> {
    return this.read(() => this.topology.version());
  }

  async readAllTopology(): Promise<TopologyRead> {
    return this.read(() => this.topology.readAll());
  }

  purgeTenant(tenant: string): Promise<TenantPurge> {
    return this.writer.call("purgeTenant", tenant);
  }

  async ping(): Promise<void> {
    if (!this.writer.healthy) {
      throw new StoreUnavailableError("SQLite writer stopped", { reason: "the SQLite writer stopped" });
    }
    if (this.writer.commitFailure !== null) {
      // Whether it succeeds or not, the probe's group sets or clears the failure.
      await this.writer.call("probe", Date.now()).catch(() => {});
      const failure = this.writer.commitFailure;
      if (failure !== null) {
        throw new StoreUnavailableError(`SQLite cannot commit: ${failure}`, {
          reason: `the last commit failed: ${failure}`,
        });
      }
    }
    this.read(() => this.reader.prepare("SELECT 1").get());
  }

  async close(): Promise<void> {
    await this.writer.close();
    this.reader.close();
    this.lock.release();
  }

  /** Every tenant-owned read and write, the tenant first. */
  private tenantOperations(): TenantOps {
    const r = this.reads;
    return {
      listEvents: async (tenant, query) => this.read(() => r.listEvents(tenant, query)),
      searchEvents: async (tenant, query) => this.read(() => r.searchEvents(tenant, query)),
      getEvent: async (tenant, id) => this.read(() => r.getEvent(tenant, id)),
      readStream: async (tenant, after, limit) => this.read(() => this.stream.read(tenant, after, limit)),
      streamPositionOf: async (tenant, id) => this.read(() => this.stream.positionOf(tenant, id)),
      streamPositionAt: async (tenant, time) => this.read(() => this.stream.positionAt(tenant, time)),
      listDeliveries: async (tenant, query) => this.read(() => r.listDeliveries(tenant, query)),
      getDelivery: async (tenant, id) => this.read(() => r.getDelivery(tenant, id)),
      retryDelivery: async (tenant, id, now, deadlineAt) => {
        const found = await this.writer.call("retryDelivery", tenant, id, now, deadlineAt);
        return found ? (this.read(() => r.getDelivery(tenant, id))?.delivery ?? null) : null;
      },
      addDeliveries: (tenant, eventId, deliveries, now) =>
        this.writer.call("addDeliveries", tenant, eventId, deliveries as NewDelivery[], now),
      requeueDeliveries: async (tenant, query, now, deadlineFor) => {
        // A dry run changes nothing: a count on the read connection, never queued behind (or
        // ahead of) the writer's commits.
        if (query.dryRun) return { matched: this.read(() => r.countRequeue(tenant, query)), enqueued: 0 };
        // The writer thread cannot ask for deadlines: each destination's is found here first,
        // only for the deliveries in the status it requeues (an index range), not for every
        // delivery the tenant has.
        const destinations =
          query.destination !== undefined
            ? [query.destination]
            : this.read(
                () =>
                  this.reader
                    .prepare("SELECT DISTINCT destination FROM deliveries WHERE tenant = ? AND status = ?")
                    .pluck()
                    .all(tenant, query.status) as string[],
              );
        const deadlines: Record<string, number> = {};
        for (const d of destinations) {
          const at = deadlineFor(d);
          if (Number.isFinite(at)) deadlines[d] = at;
        }
        return this.writer.call("requeueDeliveries", tenant, query, now, deadlines);
      },
      listDestinationStates: async (tenant) => this.read(() => r.listDestinationStates(tenant)),
      pendingByDestination: async (tenant) => this.read(() => r.pendingByDestination(tenant)),
      recentAttempts: async (tenant, since, limit) => this.read(() => r.recentAttempts(tenant, since, limit)),
      activityByMinute: async (tenant, since, until) =>
        this.read(() => this.activity.activityByMinute(tenant, since, until)),
      countDeliveries: async (tenant, status) =>
        this.read(() => this.activity.countDeliveries(tenant, status)),
      saveDestinationState: async (state) => {
        await this.writer.call("saveDestinationState", state);
      },
      topology: {
        list: async (kind, tenant) => this.read(() => this.topology.list(kind, tenant)),
        get: async (kind, tenant, slug) => this.read(() => this.topology.get(kind, tenant, slug)),
        write: (mode, row) => this.writer.call("topologyWrite", mode, row),
        delete: (kind, tenant, slug) => this.writer.call("topologyDelete", kind, tenant, slug),
      },
    };
  }

  /** Installations, states and sessions: reads here, writes on the writer thread. */
  private installationStore(): InstallationStore {
    const r = installationReads(this.reader);
    const w = this.writer;
    return {
      upsert: (grant, now) => w.call("upsertInstallation", grant, now),
      get: async (id) => this.read(() => r.get(id)),
      list: async (cursor, limit) => this.read(() => r.list(cursor, limit)),
      findByTeam: async (teamId) => this.read(() => r.findByTeam(teamId)),
      findByUser: async (userId) => this.read(() => r.findByUser(userId)),
      update: (id, changes, now) => w.call("updateInstallation", id, changes, now),
      setRunSettings: (id, settings, now) => w.call("setRunSettings", id, settings as RunSetting[], now),
      remove: (id, now) => w.call("removeInstallation", id, now),
      createState: (hash, binding, expiresAt) => w.call("createState", hash, binding, expiresAt),
      consumeState: (hash, binding, now) => w.call("consumeState", hash, binding, now),
      createSession: (hash, tenant, expiresAt) => w.call("createSession", hash, tenant, expiresAt),
      createConsoleSession: (hash, expiresAt) => w.call("createConsoleSession", hash, expiresAt),
      getSession: async (hash, now) => this.read(() => r.getSession(hash, now)),
      deleteSession: (hash) => w.call("deleteSession", hash),
      purgeExpired: (now) => w.call("purgeExpired", now),
    };
  }

  /** Action runs and reports: reads here, claims and changes on the writer thread. */
  private actionStore(): ActionStore {
    const r = actionReads(this.reader);
    const w = this.writer;
    return {
      claimRuns: (owner, now, leaseUntil, limit) => w.call("claimRuns", owner, now, leaseUntil, limit),
      changeRun: (id, owner, change, now, keepLease = false) =>
        w.call("changeRun", id, owner, change, now, keepLease),
      claimReports: (owner, now, leaseUntil, limit) => w.call("claimReports", owner, now, leaseUntil, limit),
      recordReport: (id, owner, attempt, next) => w.call("recordReport", id, owner, attempt, next),
      getRun: async (id, tenant) => this.read(() => r.getRun(id, tenant)),
      listRuns: async (query) => this.read(() => r.listRuns(query)),
      runsSharing: async (tenant, action, key, value) =>
        this.read(() => r.runsSharing(tenant, action, key, value)),
      nextDueAt: async () => this.read(() => r.nextDueAt()),
      releaseLeases: async () => {
        await w.call("releaseActionLeases");
      },
    };
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw new StoreUnavailableError(`SQLite read failed: ${(error as Error).message}`, {
        cause: error,
        reason: "a read failed",
      });
    }
  }
}
