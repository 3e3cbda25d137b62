import postgres from "postgres";
import { StoreUnavailableError } from "../port.js";

/** Times are `bigint` epoch ms, well inside `Number.MAX_SAFE_INTEGER`, so they are read as numbers. */
const types = {
  bigint: {
    to: 20,
    from: [20],
    serialize: (x: number) => String(x),
    parse: (x: string) => Number(x),
  },
};

/** A connection pool, with int8 columns parsed as numbers. */
export type Sql = postgres.Sql<{ bigint: number }>;

/** A transaction on that pool. */
export type Tx = postgres.TransactionSql<{ bigint: number }>;

/** A pool, a transaction or a reserved connection: anything statements can be run on. */
export type Queryable = postgres.ISql<{ bigint: number }>;

/** A connection taken from the pool for one pipelined transaction. */
export type Reserved = postgres.ReservedSql<{ bigint: number }>;

/** A piece of SQL built with the tag and interpolated into another query. */
export type Fragment = postgres.PendingQuery<postgres.Row[]>;

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Opens a pool on `url`, its `search_path` set to `schema` (created if missing) when given. */
export async function connect(url: string, schema?: string): Promise<Sql> {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name: ${schema}`);
  }
  const sql: Sql = postgres(url, {
    max: 10,
    onnotice: () => {},
    types,
    ...(schema ? { connection: { search_path: schema } } : {}),
  });
  if (schema) {
    try {
      // IF NOT EXISTS still races when two nodes create the schema at once; the lock orders them.
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(hashtext(${`switchyard schema ${schema}`}))`;
        await tx`CREATE SCHEMA IF NOT EXISTS ${sql(schema)}`;
      });
    } catch (error) {
      await sql.end({ timeout: 0 });
      throw error;
    }
  }
  return sql;
}

// Connection-level failures: the server is down, restarting, out of connections or unreachable.
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/** The driver's or the server's code of an error, if it has one. */
function codeOf(error: unknown): string | undefined {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** Whether `error` means the database cannot be reached or commit now (not that the query was wrong). */
export function isUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code === undefined) return false;
  // 08: connection exception; 57P01-03: admin/crash shutdown, cannot connect now; 53: insufficient
  // resources (a full disk, out of memory, too many connections); 58: system error (I/O).
  return (
    NETWORK_CODES.has(code) ||
    code.startsWith("08") ||
    code.startsWith("57P") ||
    code.startsWith("53") ||
    code.startsWith("58")
  );
}

/**
 * Runs `fn`, turning connection and resource failures into `StoreUnavailableError` so ingest
 * answers 503; its `reason` names the code only (a driver's message may name the server's address).
 */
export async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isUnavailable(error)) {
      throw new StoreUnavailableError(`PostgreSQL ${what} failed: ${(error as Error).message}`, {
        cause: error,
        reason: `PostgreSQL ${what} failed: ${codeOf(error)}`,
      });
    }
    throw error;
  }
}

/**
 * Sends `queries` and `COMMIT` in one round trip; resolves with the first query's rows once the
 * commit is done. A query that fails aborts the transaction, so `COMMIT` then rolls it back: the
 * failure is what it rejects with.
 */
export type Commit = <R extends readonly postgres.MaybeRow[]>(
  first?: postgres.PendingQuery<R>,
  ...rest: Fragment[]
) => Promise<postgres.RowList<R> | undefined>;

/**
 * Runs `work` in one transaction on a reserved connection, with fewer round trips than
 * `sql.begin`: `BEGIN` goes out with the first statements `work` sends, and `work` may end with
 * `commit(...lastStatements)`, which sends those with `COMMIT` (else the commit follows `work`).
 * On a failure the transaction is rolled back and the connection returned, unless the connection
 * itself was lost (the pool has already dropped it).
 */
export async function pipelinedTransaction<T>(
  sql: Sql,
  work: (tx: Reserved, commit: Commit) => Promise<T>,
): Promise<T> {
  const tx = await sql.reserve();
  let committed = false;
  let reusable = true;
  const begun = tx`BEGIN`.execute();
  const commit: Commit = async (first, ...rest) => {
    committed = true;
    const [, rows] = await Promise.all([begun, first, ...rest, tx`COMMIT`]);
    return rows;
  };
  try {
    const result = await work(tx, commit);
    if (!committed) await commit();
    return result;
  } catch (error) {
    // Statements still on the wire are answered in order, before the rollback.
    await begun.catch(() => {});
    if (isConnectionLost(error)) reusable = false;
    else {
      await tx`ROLLBACK`.catch(() => {
        // A connection in an unknown state goes back to no one.
        reusable = false;
      });
    }
    throw error;
  } finally {
    if (reusable) tx.release();
  }
}

/** Whether the connection an error came from is gone (the driver's connection codes). */
function isConnectionLost(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && (NETWORK_CODES.has(code) || code.startsWith("08"));
}
