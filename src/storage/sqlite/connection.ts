import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database, { type SqliteDatabase } from "./driver.js";

export type Connection = SqliteDatabase;

/** Opens the writer connection: WAL, and `synchronous=FULL` so a commit is on disk when it returns. */
export function openWriter(path: string): Connection {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
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
