import { encodeTime } from "ulidx";
import { ENDED_STATUSES } from "../../action-rows.js";
import type { TenantPurge } from "../../port.js";
import type { Sql, Tx } from "../connection.js";
import { purgeTopology } from "../topology.js";

/** The advisory lock of the retention purge (with the schema as second key). */
const PURGE_LOCK = 0x5357_5052;

/**
 * Deletes finished deliveries, their attempts and events older than `cutoff` that no delivery
 * needs, and action runs ended before it with their reports.
 */
export async function purge(sql: Sql, cutoff: number): Promise<{ events: number; deliveries: number }> {
  return sql.begin(async (tx) => {
    // One node purges at a time; the others find the lock taken and skip this pass.
    const [lock] = await tx<{ got: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(${PURGE_LOCK}, hashtext(current_schema())) AS got
    `;
    if (!lock?.got) return { events: 0, deliveries: 0 };
    await tx`
      DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE status <> 'pending' AND updated_at < ${cutoff})
    `;
    const d = await tx`DELETE FROM deliveries WHERE status <> 'pending' AND updated_at < ${cutoff}`;
    // Ids are ULIDs made at receipt, so the time bound is an id bound on the unique index.
    const e = await tx`
      DELETE FROM events WHERE id < ${`evt_${encodeTime(Math.max(0, cutoff), 10)}`} AND received_at < ${cutoff}
        AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id)
    `;
    // Ended runs (and their reports) whose last change is older than the cutoff; a run with a
    // report still pending stays until the report ends.
    const ended = tx`
      SELECT id FROM action_runs r
      WHERE phase IS NULL AND status = ANY(${ENDED_STATUSES as string[]}::text[]) AND updated_at < ${cutoff}
        AND NOT EXISTS (SELECT 1 FROM action_reports p WHERE p.run_id = r.id AND p.state = 'pending')
    `;
    await tx`DELETE FROM action_reports WHERE run_id IN (${ended})`;
    await tx`DELETE FROM action_runs WHERE id IN (${ended})`;
    return { events: e.count, deliveries: d.count };
  });
}

/** Deletes everything `tenant` owns, in one transaction. */
export async function purgeTenant(sql: Sql, tenant: string): Promise<TenantPurge> {
  return sql.begin((tx) => purgeTenantIn(tx, tenant));
}

/** Deletes everything `tenant` owns, inside the caller's transaction (a tenant's removal, an installation's). */
export async function purgeTenantIn(tx: Tx, tenant: string): Promise<TenantPurge> {
  const attempts = await tx`
    DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE tenant = ${tenant})
  `;
  const deliveries = await tx`DELETE FROM deliveries WHERE tenant = ${tenant}`;
  const events = await tx`DELETE FROM events WHERE tenant = ${tenant}`;
  const states = await tx`DELETE FROM destination_state WHERE tenant = ${tenant}`;
  const topology = await purgeTopology(tx, tenant);
  const reports = await tx`
    DELETE FROM action_reports WHERE run_id IN (SELECT id FROM action_runs WHERE tenant = ${tenant})
  `;
  const runs = await tx`DELETE FROM action_runs WHERE tenant = ${tenant}`;
  return {
    ...topology,
    actionRuns: runs.count,
    actionReports: reports.count,
    events: events.count,
    deliveries: deliveries.count,
    attempts: attempts.count,
    destinationStates: states.count,
  };
}
