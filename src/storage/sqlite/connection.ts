import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database, { type SqliteDatabase } from "./driver.js";

export type Connection = SqliteDatabase;

/**
 * The page size of a new database file. An event of a few KB takes more than half of a 4 KiB page,
 * SQLite's default, so each had a page of its own, mostly empty, written whole to the WAL at every
 * commit; in 8 KiB pages three share one. The writer's CPU per ingested event and delivery fell by
 * a fifth; 16 KiB pages saved a little more but lengthened the slowest answers (BENCHMARKS.md). A
 * file made before keeps its size (changing it takes a VACUUM: docs/deploy.md).
 */
const PAGE_SIZE = 8_192;

/** The write-ahead log's size at which a commit checkpoints it into the database file. */
const CHECKPOINT_BYTES = 4 * 1024 * 1024;

/** Opens the writer connection: WAL, and `synchronous=FULL` so a commit is on disk when it returns. */
export function openWriter(path: string): Connection {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  // Before WAL, which fixes the page size of the file it starts on; ignored on an existing file.
  db.pragma(`page_size = ${PAGE_SIZE}`);
  db.pragma("journal_mode = WAL");
  // A checkpoint once the log holds ~4 MiB, SQLite's default in its default pages (1,000 of 4 KiB):
  // a commit that runs one holds its group that long, so larger checkpoints lengthen the slowest
  // answers (BENCHMARKS.md).
  db.pragma(
    `wal_autocheckpoint = ${Math.round(CHECKPOINT_BYTES / Number(db.pragma("page_size", { simple: true })))}`,
  );
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 5000");
  db.pragma("foreign_keys = ON");
  return db;
}

/** Opens a read-only connection; WAL lets it read while the writer commits. */
export function openReader(path: string): Connection {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma("busy_timeout = 5000");
  return db;
}

/**
 * The `LIMIT` of a statement as a bound parameter, in SQL: `boundLimit("@limit")` is
 * `@limit + 0`. SQLite's planner reads the value bound to a bare `LIMIT ?` and marks the statement
 * to be compiled again whenever that parameter is bound anew, that is at every run: ~10 µs for a
 * claim, several times what its reads cost. An expression is only evaluated.
 */
export function boundLimit(param: string): string {
  return `${param} + 0`;
}
