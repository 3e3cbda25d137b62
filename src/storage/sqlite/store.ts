import { resolve } from "node:path";
import { encodeTime } from "ulidx";
import type { EventSummary, IncomingEvent, IngestResult, StoredEvent } from "../../core/types.js";
import { type EventQuery, type Store, StoreUnavailableError } from "../port.js";
import { type Connection, openReader } from "./connection.js";
import { SqliteWriter } from "./writer.js";

interface EventRow {
  id: string;
  tenant: string;
  source: string;
  external_id: string | null;
  type: string;
  original_type: string;
  received_at: number;
  unknown_type: number;
  schema_issues: string | null;
  body?: Buffer;
}

const SUMMARY_COLUMNS =
  "id, tenant, source, external_id, type, original_type, received_at, unknown_type, schema_issues";

function toSummary(row: EventRow): EventSummary {
  return {
    id: row.id,
    tenant: row.tenant,
    source: row.source,
    externalId: row.external_id,
    type: row.type,
    originalType: row.original_type,
    receivedAt: row.received_at,
    unknownType: row.unknown_type === 1,
    schemaIssues: row.schema_issues ? (JSON.parse(row.schema_issues) as string[]) : [],
  };
}

/** The embedded store: one writer thread for every write, a read-only connection on this thread. */
export class SqliteStore implements Store {
  readonly capabilities = { dialect: "sqlite", multiNode: false } as const;

  private constructor(
    private readonly writer: SqliteWriter,
    private readonly reader: Connection,
    readonly appliedMigrations: number[],
  ) {}

  /** Opens (and migrates) the SQLite file at `path`. */
  static async open(path: string): Promise<SqliteStore> {
    const file = resolve(path);
    const { writer, applied } = await SqliteWriter.start(file);
    return new SqliteStore(writer, openReader(file), applied);
  }

  insertEvents(events: readonly IncomingEvent[]): Promise<IngestResult[]> {
    return this.writer.call("insertEvents", events as IncomingEvent[]);
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

  async ping(): Promise<void> {
    if (!this.writer.healthy) throw new StoreUnavailableError("SQLite writer stopped");
    this.read(() => this.reader.prepare("SELECT 1").get());
  }

  async close(): Promise<void> {
    await this.writer.close();
    this.reader.close();
  }

  private read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw new StoreUnavailableError(`SQLite read failed: ${(error as Error).message}`, { cause: error });
    }
  }
}
