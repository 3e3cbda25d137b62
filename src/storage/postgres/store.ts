import type { DestinationState } from "../../core/delivery-types.js";
import type { IncomingEvent, IngestResult } from "../../core/types.js";
import type { ActionStore } from "../actions-port.js";
import {
  type ClaimRequest,
  type ClaimResult,
  type DeliveryOutcome,
  type DestinationKey,
  type InstallationStore,
  type QueueStats,
  type Store,
  StoreUnavailableError,
  type StreamPosition,
  type TenantPurge,
  type TenantStore,
  type TopologyRead,
} from "../port.js";
import { reducedOutcome, storableOutcome } from "../storable.js";
import { type TenantOps, tenantView } from "../tenant-view.js";
import { actionStore } from "./actions.js";
import { activityReads } from "./activity.js";
import { connect, guard, type Sql } from "./connection.js";
import { installationStore } from "./installations.js";
import { migrate } from "./migrations.js";
import { claimDeliveries, releaseLeases } from "./ops/claim.js";
import { insertDeliveries, insertEvents, WORK_CHANNEL } from "./ops/events.js";
import { recordOutcomes, saveDestinationState } from "./ops/outcomes.js";
import { requeueDeliveries, retryDelivery } from "./ops/requeue.js";
import { purge, purgeTenant } from "./ops/retention.js";
import { reads } from "./reads.js";
import { streamReads } from "./stream.js";
import { readAllTopology, TOPOLOGY_CHANNEL, topologyOps, topologyVersion } from "./topology.js";

/** The shared store: a pool per node; every write is one statement or one transaction, claims use `SKIP LOCKED`. */
export class PostgresStore implements Store {
  readonly capabilities = {
    dialect: "postgres",
    multiNode: true,
    enforcesLimitsInClaim: true,
    releaseAllLeasesAtStart: false,
    soleClaimer: false,
    sharedDestinationStates: true,
    ingestCommitsInFlight: 2,
  } as const;

  private readonly reads: ReturnType<typeof reads>;
  private readonly activity: ReturnType<typeof activityReads>;
  private readonly stream: ReturnType<typeof streamReads>;
  private readonly tenantOps: TenantOps;
  readonly installations: InstallationStore;
  readonly actions: ActionStore;
  /** Why the last write could not commit (the database unreachable, out of space); null once one has. */
  private commitFailure: string | null = null;

  private constructor(
    private readonly sql: Sql,
    readonly appliedMigrations: number[],
    /** Whether the database stores text as UTF-8, so UTF-8 bodies can go in as text. */
    private readonly textBodies: boolean,
  ) {
    this.reads = reads(sql);
    this.activity = activityReads(sql);
    this.stream = streamReads(sql);
    this.tenantOps = this.tenantOperations();
    this.installations = installationStore(sql, (what, fn) => this.write(what, fn));
    this.actions = actionStore(sql, (what, fn) => this.write(what, fn));
  }

  /** Connects to `url` (in `options.schema`, created if missing) and applies pending migrations. */
  static async open(url: string, options: { schema?: string } = {}): Promise<PostgresStore> {
    const sql = await guard("connect", () => connect(url, options.schema));
    try {
      const applied = await guard("migrate", () => migrate(sql));
      const [encoding] = await guard(
        "connect",
        () => sql<{ server_encoding: string }[]>`SHOW server_encoding`,
      );
      return new PostgresStore(sql, applied, encoding?.server_encoding === "UTF8");
    } catch (error) {
      await sql.end({ timeout: 0 });
      throw error;
    }
  }

  /** Calls `onWork` whenever another transaction created due work (LISTEN/NOTIFY); resolves with how to stop. */
  async subscribeWork(onWork: () => void): Promise<() => Promise<void>> {
    const { unlisten } = await this.sql.listen(WORK_CHANNEL, () => onWork());
    return unlisten;
  }

  /** Calls `onChange` whenever a transaction changed a topology row (LISTEN/NOTIFY); resolves with how to stop. */
  async subscribeTopology(onChange: () => void): Promise<() => Promise<void>> {
    const { unlisten } = await this.sql.listen(TOPOLOGY_CHANNEL, () => onChange());
    return unlisten;
  }

  topologyVersion(): Promise<number> {
    return guard("read", () => topologyVersion(this.sql));
  }

  readAllTopology(): Promise<TopologyRead> {
    return guard("read", () => readAllTopology(this.sql));
  }

  insertEvents(events: readonly IncomingEvent[]): Promise<IngestResult[]> {
    if (events.length === 0) return Promise.resolve([]);
    return this.write("insert", () => insertEvents(this.sql, events, this.textBodies));
  }

  forTenant(tenant: string): TenantStore {
    return tenantView(tenant, this.tenantOps);
  }

  claimDeliveries(
    requests: readonly ClaimRequest[],
    now: number,
    leaseUntil: number,
    owner: string,
  ): Promise<ClaimResult> {
    return this.write("claim", () => claimDeliveries(this.sql, requests, now, leaseUntil, owner));
  }

  /**
   * Records outcomes in one transaction. A batch the database refuses (not for being unavailable)
   * is recorded outcome by outcome, and an outcome refused alone is recorded reduced: a delivery
   * whose outcome is not recorded would be sent again once its lease expired, again and again.
   */
  async recordOutcomes(outcomes: readonly DeliveryOutcome[], now: number): Promise<void> {
    if (outcomes.length === 0) return;
    const stored = outcomes.map(storableOutcome);
    const record = (list: readonly DeliveryOutcome[]) =>
      this.write("record", () => recordOutcomes(this.sql, list, now, this.textBodies));
    const reduced = (o: DeliveryOutcome, error: unknown) => {
      if (error instanceof StoreUnavailableError) throw error;
      return record([reducedOutcome(o, error)]);
    };
    try {
      return await record(stored);
    } catch (error) {
      if (stored.length === 1) return reduced(stored[0] as DeliveryOutcome, error);
      if (error instanceof StoreUnavailableError) throw error;
    }
    for (const o of stored) await record([o]).catch((error: unknown) => reduced(o, error));
  }

  releaseLeases(owner: string | null): Promise<void> {
    return this.write("release", () => releaseLeases(this.sql, owner));
  }

  nextDueAt(destinations: readonly DestinationKey[]): Promise<number | null> {
    return guard("read", () => this.reads.nextDueAt(destinations));
  }

  /** Wakes the workers of every node (after a commit that made deliveries due). */
  private async announceWork(): Promise<void> {
    await this.write("notify", () => this.sql`SELECT pg_notify(${WORK_CHANNEL}, '')`);
  }

  streamHead(): Promise<StreamPosition> {
    return guard("read", () => this.stream.head());
  }

  listAllDestinationStates(): Promise<DestinationState[]> {
    return guard("read", () => this.reads.listAllDestinationStates());
  }

  queueStats(): Promise<QueueStats> {
    return guard("read", () => this.reads.queueStats());
  }

  purge(cutoff: number): Promise<{ events: number; deliveries: number }> {
    return this.write("purge", () => purge(this.sql, cutoff));
  }

  purgeTenant(tenant: string): Promise<TenantPurge> {
    return this.write("purge", () => purgeTenant(this.sql, tenant));
  }

  async ping(): Promise<void> {
    await guard("ping", () => this.sql`SELECT 1`);
    if (this.commitFailure === null) return;
    // A write that commits: taking a transaction id makes its commit write and flush the WAL.
    await this.write("probe", () => this.sql`SELECT txid_current()`).catch(() => {});
    const failure = this.commitFailure;
    if (failure !== null) {
      throw new StoreUnavailableError(`PostgreSQL cannot commit: ${failure}`, {
        reason: `the last commit failed: ${failure}`,
      });
    }
  }

  /** Every tenant-owned read and write, the tenant first. */
  private tenantOperations(): TenantOps {
    const r = this.reads;
    const topology = topologyOps(this.sql);
    const getDelivery = (tenant: string, id: string) => guard("read", () => r.getDelivery(tenant, id));
    return {
      listEvents: (tenant, query) => guard("read", () => r.listEvents(tenant, query)),
      searchEvents: (tenant, query) => guard("read", () => r.searchEvents(tenant, query)),
      getEvent: (tenant, id) => guard("read", () => r.getEvent(tenant, id)),
      readStream: (tenant, after, limit) => guard("read", () => this.stream.read(tenant, after, limit)),
      streamPositionOf: (tenant, id) => guard("read", () => this.stream.positionOf(tenant, id)),
      streamPositionAt: (tenant, time) => guard("read", () => this.stream.positionAt(tenant, time)),
      listDeliveries: (tenant, query) => guard("read", () => r.listDeliveries(tenant, query)),
      getDelivery,
      retryDelivery: async (tenant, id, now, deadlineAt) => {
        const found = await this.write("retry", () => retryDelivery(this.sql, tenant, id, now, deadlineAt));
        if (!found) return null;
        await this.announceWork();
        return (await getDelivery(tenant, id))?.delivery ?? null;
      },
      addDeliveries: async (tenant, eventId, deliveries, now) => {
        const added = await this.write("insert", () =>
          this.sql.begin(async (tx) => {
            const [own] = await tx`SELECT 1 FROM events WHERE tenant = ${tenant} AND id = ${eventId}`;
            if (!own) return false;
            await insertDeliveries(
              tx,
              deliveries.map((delivery) => ({ tenant, eventId, delivery, now })),
            );
            return true;
          }),
        );
        if (added && deliveries.length > 0) await this.announceWork();
        return added;
      },
      requeueDeliveries: async (tenant, query, now, deadlineFor) => {
        const result = await this.write("requeue", () =>
          requeueDeliveries(this.sql, tenant, query, now, deadlineFor),
        );
        if (result.enqueued > 0) await this.announceWork();
        return result;
      },
      listDestinationStates: (tenant) => guard("read", () => r.listDestinationStates(tenant)),
      pendingByDestination: (tenant) => guard("read", () => r.pendingByDestination(tenant)),
      recentAttempts: (tenant, since, limit) => guard("read", () => r.recentAttempts(tenant, since, limit)),
      activityByMinute: (tenant, since, until) =>
        guard("read", () => this.activity.activityByMinute(tenant, since, until)),
      countDeliveries: (tenant, status) => guard("read", () => this.activity.countDeliveries(tenant, status)),
      saveDestinationState: (state) => this.write("save", () => saveDestinationState(this.sql, state)),
      topology: {
        list: (kind, tenant) => guard("read", () => topology.list(kind, tenant)),
        get: (kind, tenant, slug) => guard("read", () => topology.get(kind, tenant, slug)),
        write: (mode, row) => this.write("topology", () => topology.write(mode, row)),
        delete: (kind, tenant, slug) => this.write("topology", () => topology.delete(kind, tenant, slug)),
      },
    };
  }

  /** Runs a write under `guard`, remembering whether it could commit, for `ping`. */
  private async write<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      const result = await guard(what, fn);
      this.commitFailure = null;
      return result;
    } catch (error) {
      if (error instanceof StoreUnavailableError) this.commitFailure = error.reason ?? error.message;
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}
