import type { TopologyKind, TopologyRead, TopologyRecord } from "../port.js";
import { type TopologyRow, toTopology } from "../rows.js";
import type { TopologyOps } from "../tenant-view.js";
import type { Sql, Tx } from "./connection.js";

/** The channel on which commits that change a topology row notify every node. */
export const TOPOLOGY_CHANNEL = "switchyard_topology";

/** Table names come from this list only, never from a caller's string. */
const TABLE: Record<TopologyKind, string> = {
  sources: "sources",
  destinations: "destinations",
  routes: "routes",
};

/** Bumps the version and notifies, inside the transaction of the change (the notice leaves at commit). */
async function changed(tx: Tx): Promise<void> {
  await tx`UPDATE topology_version SET version = version + 1 WHERE id = 1`;
  await tx`SELECT pg_notify(${TOPOLOGY_CHANNEL}, '')`;
}

/** Topology rows: reads are one statement; each write and its version bump one transaction. */
export function topologyOps(sql: Sql): TopologyOps {
  return {
    async list(kind, tenant): Promise<TopologyRecord[]> {
      const rows = await sql<TopologyRow[]>`
        SELECT * FROM ${sql(TABLE[kind])} WHERE tenant = ${tenant} ORDER BY slug
      `;
      return rows.map(toTopology);
    },
    async get(kind, tenant, slug) {
      const [row] = await sql<TopologyRow[]>`
        SELECT * FROM ${sql(TABLE[kind])} WHERE tenant = ${tenant} AND slug = ${slug}
      `;
      return row ? toTopology(row) : null;
    },
    write: (mode, w) =>
      sql.begin(async (tx) => {
        const table = tx(TABLE[w.kind]);
        const [row] =
          mode === "create"
            ? await tx<TopologyRow[]>`
                INSERT INTO ${table} (tenant, slug, definition, secrets, created_at, updated_at)
                VALUES (${w.tenant}, ${w.slug}, ${w.definition}, ${w.secrets}, ${w.now}, ${w.now})
                ON CONFLICT DO NOTHING RETURNING *
              `
            : await tx<TopologyRow[]>`
                UPDATE ${table} SET definition = ${w.definition}, secrets = ${w.secrets}, updated_at = ${w.now}
                WHERE tenant = ${w.tenant} AND slug = ${w.slug} RETURNING *
              `;
        if (!row) return null;
        await changed(tx);
        return toTopology(row);
      }),
    delete: (kind, tenant, slug) =>
      sql.begin(async (tx) => {
        const deleted = await tx`DELETE FROM ${tx(TABLE[kind])} WHERE tenant = ${tenant} AND slug = ${slug}`;
        if (deleted.count === 0) return false;
        await changed(tx);
        return true;
      }),
  };
}

/** Deletes a tenant's rows of every kind, inside `purgeTenant`'s transaction; counts them. */
export async function purgeTopology(tx: Tx, tenant: string) {
  const sources = await tx`DELETE FROM sources WHERE tenant = ${tenant}`;
  const destinations = await tx`DELETE FROM destinations WHERE tenant = ${tenant}`;
  const routes = await tx`DELETE FROM routes WHERE tenant = ${tenant}`;
  if (sources.count + destinations.count + routes.count > 0) await changed(tx);
  return { sources: sources.count, destinations: destinations.count, routes: routes.count };
}

/** Every tenant's rows and the version, in one statement: one snapshot. */
export async function readAllTopology(sql: Sql): Promise<TopologyRead> {
  const all = (table: string) =>
    sql`(SELECT coalesce(json_agg(t ORDER BY t.tenant, t.slug), '[]') FROM ${sql(table)} t)`;
  const [row] = await sql<
    { version: number; sources: TopologyRow[]; destinations: TopologyRow[]; routes: TopologyRow[] }[]
  >`
    SELECT (SELECT version FROM topology_version WHERE id = 1) AS version,
      ${all("sources")} AS sources, ${all("destinations")} AS destinations, ${all("routes")} AS routes
  `;
  return {
    version: Number(row?.version ?? 0),
    sources: (row?.sources ?? []).map(toTopology),
    destinations: (row?.destinations ?? []).map(toTopology),
    routes: (row?.routes ?? []).map(toTopology),
  };
}

/** The store's topology version. */
export async function topologyVersion(sql: Sql): Promise<number> {
  const [row] = await sql<{ version: number }[]>`SELECT version FROM topology_version WHERE id = 1`;
  return Number(row?.version ?? 0);
}
