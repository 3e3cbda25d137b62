import { resolve } from "node:path";
import { backendFor } from "./backends.js";
import type { Store } from "./port.js";

/** The absolute path of the file a `sqlite:PATH` URL names, or null for another database. */
export function sqlitePathOf(url: string, cwd = process.cwd()): string | null {
  return url.startsWith("sqlite:") ? resolve(cwd, url.slice("sqlite:".length)) : null;
}

/**
 * Opens (and migrates) the store a `DATABASE_URL` names: `sqlite:PATH`, or `postgres://…` /
 * `postgresql://…`, where `?schema=NAME` puts Switchyard's tables in a schema of their own.
 */
export function openStore(url: string): Promise<Store> {
  return backendFor(url).open(url);
}
