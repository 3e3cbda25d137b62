/**
 * One process per SQLite database. The store's claims, leases and hand-off assume a single
 * writer process; a second `switchyard serve` on the same file would claim and send the same
 * deliveries. So the store holds an exclusive lock for its lifetime: a small SQLite database
 * beside the main one (`<file>.lock`), opened in `locking_mode=EXCLUSIVE` and written once, which
 * keeps SQLite's exclusive file lock until the connection closes. The kernel drops that lock when
 * the process dies, `kill -9` included, so no stale lock is ever left to block a restart, and the
 * store's own connections never touch it. The lock database holds one row naming the holder; a
 * refused process reads it from a copy of the file's bytes, since the file itself stays locked.
 */

import { readFileSync, truncateSync } from "node:fs";
import { hostname } from "node:os";
import { createPrivateFile, DataFileError, fsReason } from "../../private-files.js";
import Database, { type SqliteDatabase } from "./driver.js";

/** Who holds a database's lock. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
}

/** Another process serves the database: its lock is taken. */
export class DatabaseLockedError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockHolder | null,
  ) {
    super(
      holder?.pid === process.pid && holder.host === hostname()
        ? `the SQLite database ${file} is already open in this process`
        : `the SQLite database ${file} is in use by another Switchyard process${
            holder ? ` (pid ${holder.pid} on ${holder.host}, started ${holder.startedAt})` : ""
          }: SQLite serves one process; stop that one first, or use PostgreSQL to run several`,
    );
    this.name = "DatabaseLockedError";
  }
}

/** The lock file of the database at `path`. */
export function lockFileOf(path: string): string {
  return `${path}.lock`;
}

const BUSY = new Set(["SQLITE_BUSY", "SQLITE_LOCKED"]);
const DAMAGED = new Set(["SQLITE_CORRUPT", "SQLITE_NOTADB"]);

/** The exclusive lock on one SQLite database, held until `release` or the end of the process. */
export class ProcessLock {
  private constructor(private readonly db: SqliteDatabase) {}

  /** Takes the lock of the database at `path`, or throws DatabaseLockedError naming its holder. */
  static acquire(path: string, now = new Date()): ProcessLock {
    const file = lockFileOf(path);
    try {
      createPrivateFile(file);
    } catch (error) {
      throw new DataFileError(file, `cannot create the lock file ${file}: ${fsReason(error)}`, {
        cause: error,
      });
    }
    try {
      try {
        return new ProcessLock(take(path, now));
      } catch (error) {
        // Only a crash while the row was written (synchronous=OFF) leaves the file damaged, and
        // a holder's file is never damaged: empty it, in place so that every process still
        // contends for the lock of the same file, and try once more.
        if (!DAMAGED.has((error as { code?: string }).code ?? "")) throw error;
        truncateSync(file, 0);
        return new ProcessLock(take(path, now));
      }
    } catch (error) {
      if (error instanceof DatabaseLockedError) throw error;
      throw new DataFileError(file, `cannot take the lock file ${file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** Releases the lock (idempotent). */
  release(): void {
    if (this.db.open) this.db.close();
  }
}

/** Opens the lock file of the database at `path` and takes its lock, writing this process in as its holder. */
function take(path: string, now: Date): SqliteDatabase {
  const file = lockFileOf(path);
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 0");
    db.pragma("locking_mode = EXCLUSIVE");
    // The holder row needs no durability: a lost one is written again at the next start.
    db.pragma("synchronous = OFF");
    db.pragma("journal_mode = MEMORY");
    db.exec("BEGIN EXCLUSIVE");
    db.exec(
      "CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL)",
    );
    db.exec("DELETE FROM holder");
    db.prepare("INSERT INTO holder (pid, host, started_at) VALUES (?, ?, ?)").run(
      process.pid,
      hostname(),
      now.toISOString(),
    );
    // In exclusive locking mode the commit keeps the lock.
    db.exec("COMMIT");
    return db;
  } catch (error) {
    db.close();
    if (BUSY.has((error as { code?: string }).code ?? "")) {
      throw new DatabaseLockedError(path, readHolder(file));
    }
    throw error;
  }
}

/** The holder named in a lock file, read from a copy of its bytes; null when it cannot be read. */
function readHolder(file: string): LockHolder | null {
  try {
    const copy = new Database(readFileSync(file), { readonly: true });
    try {
      const row = copy.prepare("SELECT pid, host, started_at FROM holder").get() as
        | { pid: number; host: string; started_at: string }
        | undefined;
      return row ? { pid: row.pid, host: row.host, startedAt: row.started_at } : null;
    } finally {
      copy.close();
    }
  } catch {
    return null;
  }
}
