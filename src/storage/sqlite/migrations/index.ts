/** One numbered schema change; applied in order, each once, inside a transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The SQLite migrations, in order. Never edit one that has shipped: add the next number. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "events",
    sql: `
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        tenant TEXT NOT NULL,
        source TEXT NOT NULL,
        external_id TEXT,
        type TEXT NOT NULL,
        original_type TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        unknown_type INTEGER NOT NULL DEFAULT 0,
        schema_issues TEXT,
        body BLOB NOT NULL
      );
      CREATE UNIQUE INDEX events_dedupe ON events (tenant, source, external_id) WHERE external_id IS NOT NULL;
    `,
  },
];
