import { resolve } from "node:path";
import type { Store } from "./port.js";
import { PostgresStore } from "./postgres/store.js";
import { SqliteStore } from "./sqlite/store.js";

/** The absolute path of the file a `sqlite:PATH` URL names, or null for another database. */
export function sqlitePathOf(url: string, cwd = process.cwd()): string | null {
  return url.startsWith("sqlite:") ? resolve(cwd, url.slice("sqlite:".length)) : null;
}

/**
 * Opens the store a `DATABASE_URL` names: `sqlite:PATH`, or `postgres://…` / `postgresql://…`,
 * where `?schema=NAME` puts Switchyard's tables in a schema of their own.
 */
export async function openStore(url: string): Promise<Store> {
  if (url.startsWith("sqlite:")) return SqliteStore.open(url.slice("sqlite:".length));
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get("schema") ?? undefined;
    parsed.searchParams.delete("schema");
    return PostgresStore.open(parsed.toString(), schema ? { schema } : {});
  }
  throw new Error(`unsupported database url: ${url.split(":")[0]}:…`);
}
