import { loadConfig } from "../config/load.js";
import { openStore } from "../storage/open.js";
import { withProgress } from "./progress.js";

/** `switchyard migrate`: applies pending migrations to the configured database and reports them. */
export async function migrateCommand(flags: { config?: string | undefined }): Promise<void> {
  const { config } = loadConfig(flags);
  // Opening the store applies what is pending, under the backend's lock: it can take a while.
  const store = await withProgress("applying migrations", () => openStore(config.database.url));
  await store.close();
  const applied = store.appliedMigrations;
  process.stdout.write(
    applied.length ? `applied migrations: ${applied.join(", ")}\n` : "database is up to date\n",
  );
}
