import { loadConfig } from "../config/load.js";
import { SqliteStore } from "../storage/sqlite/store.js";

/** `switchyard migrate`: applies pending migrations to the configured database and reports them. */
export async function migrateCommand(flags: { config?: string | undefined }): Promise<void> {
  const { config } = loadConfig(flags);
  const url = config.database.url;
  const store = await SqliteStore.open(url.slice("sqlite:".length));
  await store.close();
  const applied = store.appliedMigrations;
  process.stdout.write(
    applied.length ? `applied migrations: ${applied.join(", ")}\n` : "database is up to date\n",
  );
}
