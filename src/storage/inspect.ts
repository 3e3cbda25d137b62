import { existsSync } from "node:fs";
import { resolve } from "node:path";
import Database from "better-sqlite3";
import type { DatabaseReport } from "./database-report.js";
import { migrations as sqliteMigrations } from "./sqlite/migrations/index.js";

/** Looks at a database read-only: is it there, which migrations it has, and its clock. */
export async function inspectDatabase(url: string): Promise<DatabaseReport> {
  if (url.startsWith("sqlite:")) return inspectSqlite(resolve(url.slice("sqlite:".length)));
  const { inspectPostgres } = await import("./postgres/inspect.js");
  return inspectPostgres(url);
}

function inspectSqlite(path: string): DatabaseReport {
  const latest = Math.max(...sqliteMigrations.map((m) => m.version));
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
