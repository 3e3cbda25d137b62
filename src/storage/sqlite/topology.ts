import type { TopologyKind, TopologyRead, TopologyRecord } from "../port.js";
import { type TopologyRow, toTopology } from "../rows.js";
import type { Connection } from "./connection.js";

/** Table names come from this list only, never from a caller's string. */
const TABLE: Record<TopologyKind, string> = {
  sources: "sources",
  destinations: "destinations",
  routes: "routes",
};

/** Topology reads, on the read-only connection. */
export function topologyReads(db: Connection) {
  const all = (table: string) =>
    (db.prepare(`SELECT * FROM ${table} ORDER BY tenant, slug`).all() as TopologyRow[]).map(toTopology);
  const readAll = db.transaction(
    (): TopologyRead => ({
      version: db.prepare("SELECT version FROM topology_version WHERE id = 1").pluck().get() as number,
      sources: all("sources"),
      destinations: all("destinations"),
      routes: all("routes"),
    }),
  );
  return {
    list: (kind: TopologyKind, tenant: string): TopologyRecord[] =>
      (
        db.prepare(`SELECT * FROM ${TABLE[kind]} WHERE tenant = ? ORDER BY slug`).all(tenant) as TopologyRow[]
      ).map(toTopology),
    get(kind: TopologyKind, tenant: string, slug: string): TopologyRecord | null {
      const row = db.prepare(`SELECT * FROM ${TABLE[kind]} WHERE tenant = ? AND slug = ?`).get(tenant, slug);
      return row ? toTopology(row as TopologyRow) : null;
    },
    version: () => db.prepare("SELECT version FROM topology_version WHERE id = 1").pluck().get() as number,
    /** Every tenant's rows, in one read transaction: one snapshot of the WAL. */
    readAll: (): TopologyRead => readAll(),
  };
}

/** A topology write as the writer thread receives it. */
export interface TopologyWrite {
  kind: TopologyKind;
  tenant: string;
  slug: string;
  definition: string;
  secrets: string | null;
  now: number;
}

/** Topology writes on the writer thread: each row change and its version bump in one transaction. */
export function topologyOps(db: Connection) {
  const bump = db.prepare("UPDATE topology_version SET version = version + 1 WHERE id = 1");
  const create = db.transaction((w: TopologyWrite) => {
    const row = db
      .prepare(`
        INSERT INTO ${TABLE[w.kind]} (tenant, slug, definition, secrets, created_at, updated_at)
        VALUES (@tenant, @slug, @definition, @secrets, @now, @now)
        ON CONFLICT DO NOTHING RETURNING *
      `)
      .get(w) as TopologyRow | undefined;
    if (row) bump.run();
    return row ? toTopology(row) : null;
  });
  const update = db.transaction((w: TopologyWrite) => {
    const row = db
      .prepare(`
        UPDATE ${TABLE[w.kind]} SET definition = @definition, secrets = @secrets, updated_at = @now
        WHERE tenant = @tenant AND slug = @slug RETURNING *
      `)
      .get(w) as TopologyRow | undefined;
    if (row) bump.run();
    return row ? toTopology(row) : null;
  });
  const remove = db.transaction((kind: TopologyKind, tenant: string, slug: string) => {
    const { changes } = db
      .prepare(`DELETE FROM ${TABLE[kind]} WHERE tenant = ? AND slug = ?`)
      .run(tenant, slug);
    if (changes > 0) bump.run();
    return changes > 0;
  });
  /** Deletes a tenant's rows of every kind (inside `purgeTenant`'s transaction); counts them. */
  const purgeTenant = (tenant: string) => {
    const counts = {
      sources: db.prepare("DELETE FROM sources WHERE tenant = ?").run(tenant).changes,
      destinations: db.prepare("DELETE FROM destinations WHERE tenant = ?").run(tenant).changes,
      routes: db.prepare("DELETE FROM routes WHERE tenant = ?").run(tenant).changes,
    };
    if (counts.sources + counts.destinations + counts.routes > 0) bump.run();
    return counts;
  };
  return {
    ops: {
      topologyWrite: (mode: "create" | "update", w: TopologyWrite) =>
        mode === "create" ? create.immediate(w) : update.immediate(w),
      topologyDelete: (kind: TopologyKind, tenant: string, slug: string) =>
        remove.immediate(kind, tenant, slug),
    },
    purgeTenant,
  };
}
