import type {
  AttemptRecord,
  DeliveryRecord,
  DestinationState,
  NewDelivery,
} from "../../core/delivery-types.js";
import type { EventSummary, IncomingEvent, IngestResult, StoredEvent } from "../../core/types.js";
import {
  type ClaimRequest,
  type ClaimResult,
  type DeliveryOutcome,
  type DeliveryQuery,
  type EventQuery,
  type QueueStats,
  type RequeueQuery,
  type Store,
  StoreUnavailableError,
} from "../port.js";
import { reducedOutcome, storableOutcome } from "../storable.js";
import { connect, guard, type Sql } from "./connection.js";
import { migrate } from "./migrations.js";
import * as ops from "./ops/deliveries.js";
import { insertDeliveries, insertEvents, WORK_CHANNEL } from "./ops/events.js";
import { reads } from "./reads.js";

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
  /** Why the last write could not commit (the database unreachable, out of space); null once one has. */
  private commitFailure: string | null = null;

  private constructor(
    private readonly sql: Sql,
    readonly appliedMigrations: number[],
    /** Whether the database stores text as UTF-8, so UTF-8 bodies can go in as text. */
    private readonly textBodies: boolean,
  ) {
    this.reads = reads(sql);
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

  insertEvents(events: readonly IncomingEvent[]): Promise<IngestResult[]> {
    if (events.length === 0) return Promise.resolve([]);
    return this.write("insert", () => insertEvents(this.sql, events, this.textBodies));
  }

  listEvents(query: EventQuery): Promise<EventSummary[]> {
    return guard("read", () => this.reads.listEvents(query));
  }

  getEvent(id: string): Promise<StoredEvent | null> {
    return guard("read", () => this.reads.getEvent(id));
  }

  claimDeliveries(
    requests: readonly ClaimRequest[],
    now: number,
    leaseUntil: number,
    owner: string,
  ): Promise<ClaimResult> {
    return this.write("claim", () => ops.claimDeliveries(this.sql, requests, now, leaseUntil, owner));
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
      this.write("record", () => ops.recordOutcomes(this.sql, list, now, this.textBodies));
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
    return this.write("release", () => ops.releaseLeases(this.sql, owner));
  }

  nextDueAt(destinations: readonly string[]): Promise<number | null> {
    return guard("read", () => this.reads.nextDueAt(destinations));
  }

  listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]> {
    return guard("read", () => this.reads.listDeliveries(query));
  }

  getDelivery(id: string): Promise<{ delivery: DeliveryRecord; attempts: AttemptRecord[] } | null> {
    return guard("read", () => this.reads.getDelivery(id));
  }

  async retryDelivery(id: string, now: number, deadlineAt: number): Promise<DeliveryRecord | null> {
    const found = await this.write("retry", () => ops.retryDelivery(this.sql, id, now, deadlineAt));
    if (found) await this.announceWork();
    return found ? ((await this.getDelivery(id))?.delivery ?? null) : null;
  }

  async addDeliveries(
    tenant: string,
    eventId: string,
    deliveries: readonly NewDelivery[],
    now: number,
  ): Promise<void> {
    if (deliveries.length === 0) return;
    await this.write("insert", () =>
      this.sql.begin((tx) =>
        insertDeliveries(
          tx,
          deliveries.map((delivery) => ({ tenant, eventId, delivery, now })),
        ),
      ),
    );
    await this.announceWork();
  }

  async requeueDeliveries(
    query: RequeueQuery,
    now: number,
    deadlineFor: (destination: string) => number,
  ): Promise<{ matched: number; enqueued: number }> {
    const result = await this.write("requeue", () =>
      ops.requeueDeliveries(this.sql, query, now, deadlineFor),
    );
    if (result.enqueued > 0) await this.announceWork();
    return result;
  }

  /** Wakes the workers of every node (after a commit that made deliveries due). */
  private async announceWork(): Promise<void> {
    await this.write("notify", () => this.sql`SELECT pg_notify(${WORK_CHANNEL}, '')`);
  }

  getDestinationStates(): Promise<DestinationState[]> {
    return guard("read", () => this.reads.getDestinationStates());
  }

  saveDestinationState(state: DestinationState): Promise<void> {
    return this.write("save", () => ops.saveDestinationState(this.sql, state));
  }

  queueStats(): Promise<QueueStats> {
    return guard("read", () => this.reads.queueStats());
  }

  purge(cutoff: number): Promise<{ events: number; deliveries: number }> {
    return this.write("purge", () => ops.purge(this.sql, cutoff));
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
