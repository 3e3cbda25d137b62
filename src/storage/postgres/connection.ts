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
