import { resolve } from "node:path";
import { encodeTime } from "ulidx";
import type {
  AttemptRecord,
  DeliveryRecord,
  DestinationState,
  NewDelivery,
} from "../../core/delivery-types.js";
import type { EventSummary, IncomingEvent, IngestResult, StoredEvent } from "../../core/types.js";
import {
  type ClaimRequest,
  type DeliveryOutcome,
  type DeliveryQuery,
  type EventQuery,
  type RequeueQuery,
  type Store,
  StoreUnavailableError,
} from "../port.js";
import { type EventRow, toSummary } from "../rows.js";
import { type Connection, openReader } from "./connection.js";
import { prepareDatabaseFiles } from "./data-files.js";
import { packEvents } from "./ops/events.js";
import { ProcessLock } from "./process-lock.js";
import { deliveryReads } from "./reads/deliveries.js";
import { SqliteWriter } from "./writer.js";

const SUMMARY_COLUMNS =
  "id, tenant, source, external_id, type, original_type, received_at, unknown_type, schema_issues";

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

  private readonly deliveries: ReturnType<typeof deliveryReads>;

  private constructor(
    private readonly writer: SqliteWriter,
    private readonly reader: Connection,
    readonly appliedMigrations: number[],
    private readonly lock: ProcessLock,
  ) {
    this.deliveries = deliveryReads(reader);
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

  async listEvents(query: EventQuery): Promise<EventSummary[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (query.tenant) add("tenant = ?", query.tenant);
    if (query.source) add("source = ?", query.source);
    if (query.type) add("type = ?", query.type);
    // Ids are ULIDs made at receipt, so a time bound is also an id bound the index can use.
    if (query.since !== undefined)
      add("id >= ? AND received_at >= ?", `evt_${encodeTime(query.since, 10)}`, query.since);
    if (query.before) add("id < ?", query.before);
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM events ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    return this.read(() =>
      (this.reader.prepare(sql).all(...params, query.limit) as EventRow[]).map(toSummary),
    );
  }

  async getEvent(id: string): Promise<StoredEvent | null> {
    const row = this.read(
      () =>
        this.reader.prepare(`SELECT ${SUMMARY_COLUMNS}, body FROM events WHERE id = ?`).get(id) as
          | EventRow
          | undefined,
    );
    return row ? { ...toSummary(row), body: row.body as Buffer } : null;
  }

  claimDeliveries(requests: readonly ClaimRequest[], now: number, leaseUntil: number, owner: string) {
    return this.writer.call("claimDeliveries", requests as ClaimRequest[], now, leaseUntil, owner);
  }

  async recordOutcomes(outcomes: readonly DeliveryOutcome[], now: number): Promise<void> {
    if (outcomes.length === 0) return;
    await this.writer.call("recordOutcomes", outcomes as DeliveryOutcome[], now);
  }

  async releaseLeases(owner: string | null): Promise<void> {
    await this.writer.call("releaseLeases", owner);
  }

  async nextDueAt(destinations: readonly string[]): Promise<number | null> {
    return this.read(() => this.deliveries.nextDueAt(destinations));
  }

  async listDeliveries(query: DeliveryQuery): Promise<DeliveryRecord[]> {
    return this.read(() => this.deliveries.listDeliveries(query));
  }

  async getDelivery(id: string): Promise<{ delivery: DeliveryRecord; attempts: AttemptRecord[] } | null> {
    return this.read(() => this.deliveries.getDelivery(id));
  }

  async retryDelivery(id: string, now: number, deadlineAt: number): Promise<DeliveryRecord | null> {
    const found = await this.writer.call("retryDelivery", id, now, deadlineAt);
    return found ? ((await this.getDelivery(id))?.delivery ?? null) : null;
  }

  async addDeliveries(
    tenant: string,
    eventId: string,
    deliveries: readonly NewDelivery[],
    now: number,
  ): Promise<void> {
    await this.writer.call("addDeliveries", tenant, eventId, deliveries as NewDelivery[], now);
  }

  requeueDeliveries(query: RequeueQuery, now: number, deadlineFor: (destination: string) => number) {
    const destinations = this.read(
      () => this.reader.prepare("SELECT DISTINCT destination FROM deliveries").pluck().all() as string[],
    );
    const deadlines: Record<string, number> = {};
    for (const d of destinations) {
      const at = deadlineFor(d);
      if (Number.isFinite(at)) deadlines[d] = at;
    }
    return this.writer.call("requeueDeliveries", query, now, deadlines);
  }

  async getDestinationStates(): Promise<DestinationState[]> {
    return this.read(() => this.deliveries.getDestinationStates());
  }

  async saveDestinationState(state: DestinationState): Promise<void> {
    await this.writer.call("saveDestinationState", state);
  }

  async queueStats() {
    return this.read(() => this.deliveries.queueStats());
  }

  purge(cutoff: number) {
    return this.writer.call("purge", cutoff);
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
