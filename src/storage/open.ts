import type { Store } from "./port.js";
import { SqliteStore } from "./sqlite/store.js";

/** Opens the store a `DATABASE_URL` names (`sqlite:PATH`). */
export async function openStore(url: string): Promise<Store> {
  if (url.startsWith("sqlite:")) return SqliteStore.open(url.slice("sqlite:".length));
  throw new Error(`unsupported database url: ${url.split(":")[0]}:…`);
}
