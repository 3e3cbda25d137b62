import postgres from "postgres";
import type { DatabaseReport } from "../database-report.js";
import { migrations } from "./migrations.js";

/** Looks at a PostgreSQL database read-only: reachable, its migrations, its clock. */
export async function inspectPostgres(url: string): Promise<DatabaseReport> {
  const latest = Math.max(...migrations.map((m) => m.version));
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    const [clock] = await sql<
      { now: string }[]
    >`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS now`;
    const [table] = await sql<
      { name: string | null }[]
    >`SELECT to_regclass('schema_migrations')::text AS name`;
    const applied = table?.name
      ? (await sql<{ version: number }[]>`SELECT version FROM schema_migrations ORDER BY version`).map((r) =>
          Number(r.version),
        )
      : [];
    return { dialect: "postgres", reachable: true, applied, latest, databaseNow: Number(clock?.now) };
  } catch (error) {
    return { dialect: "postgres", reachable: false, error: (error as Error).message, applied: [], latest };
  } finally {
    await sql.end({ timeout: 1 });
  }
}
