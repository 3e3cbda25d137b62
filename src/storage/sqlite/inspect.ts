import { existsSync } from "node:fs";
import type { DatabaseReport } from "../database-report.js";
import Database from "./driver.js";
import { migrations } from "./migrations.js";

/** Looks at a SQLite file read-only: is it there, and which migrations it has. */
export function inspectSqlite(path: string): DatabaseReport {
  const latest = Math.max(...migrations.map((m) => m.version));
  // A missing file is fine: `serve` and `migrate` create it.
  if (!existsSync(path)) return { dialect: "sqlite", reachable: true, applied: [], latest };
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").get();
      const applied = hasTable
        ? (db.prepare("SELECT version FROM schema_migrations ORDER BY version").pluck().all() as number[])
        : [];
      return { dialect: "sqlite", reachable: true, applied, latest };
    } finally {
      db.close();
    }
  } catch (error) {
    return { dialect: "sqlite", reachable: false, error: (error as Error).message, applied: [], latest };
  }
}
