import type { DatabaseReport } from "./database-report.js";
import type { Store } from "./port.js";

/** One numbered schema change; applied in order, each once, inside a transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** A storage backend as the registry (`backends.ts`) lists it. */
export interface Backend {
  dialect: "sqlite" | "postgres";
  /** The URL prefixes that name a database of this backend. */
  schemes: readonly string[];
  /** Opens (and migrates) the store the URL names. */
  open(url: string): Promise<Store>;
  /** Looks at the database read-only: reachable, applied migrations, its clock. */
  inspect(url: string): Promise<DatabaseReport>;
  /** Every migration of the backend, in order. */
  migrations: readonly Migration[];
}
