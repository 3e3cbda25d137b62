import type { Store } from "./port.js";
import { PostgresStore } from "./postgres/store.js";
import { SqliteStore } from "./sqlite/store.js";

/** Opens the store a `DATABASE_URL` names (`sqlite:PATH`, `postgres://…` or `postgresql://…`). */
export async function openStore(url: string): Promise<Store> {
  if (url.startsWith("sqlite:")) return SqliteStore.open(url.slice("sqlite:".length));
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return PostgresStore.open(url);
  throw new Error(`unsupported database url: ${url.split(":")[0]}:…`);
}
