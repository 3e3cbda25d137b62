import { resolve } from "node:path";
import type { Backend } from "./backend.js";
import type { DatabaseReport } from "./database-report.js";
import { inspectPostgres } from "./postgres/inspect.js";
import { migrations as postgresMigrations } from "./postgres/migrations.js";
import { PostgresStore } from "./postgres/store.js";
import { inspectSqlite } from "./sqlite/inspect.js";
import { migrations as sqliteMigrations } from "./sqlite/migrations.js";
import { SqliteStore } from "./sqlite/store.js";

/** `sqlite:PATH`: one file, one writer thread. */
const sqlite: Backend = {
  dialect: "sqlite",
  schemes: ["sqlite:"],
  open: (url) => SqliteStore.open(url.slice("sqlite:".length)),
  inspect: async (url) => inspectSqlite(resolve(url.slice("sqlite:".length))),
  migrations: sqliteMigrations,
};

/** `postgres://…` or `postgresql://…`, where `?schema=NAME` puts the tables in a schema of their own. */
const postgres: Backend = {
  dialect: "postgres",
  schemes: ["postgres://", "postgresql://"],
  open(url) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get("schema") ?? undefined;
    parsed.searchParams.delete("schema");
    return PostgresStore.open(parsed.toString(), schema ? { schema } : {});
  },
  inspect: inspectPostgres,
  migrations: postgresMigrations,
};

/** Every storage backend, in one place. */
export const backends: readonly Backend[] = [sqlite, postgres];

/** The backend a `DATABASE_URL` names; throws for a scheme none serves. */
export function backendFor(url: string): Backend {
  const found = backends.find((b) => b.schemes.some((s) => url.startsWith(s)));
  if (!found) throw new Error(`unsupported database url: ${url.split(":")[0]}:…`);
  return found;
}

/** Looks at the database a `DATABASE_URL` names, read-only, for `switchyard doctor`. */
export function inspectDatabase(url: string): Promise<DatabaseReport> {
  return backendFor(url).inspect(url);
}
