import { encodeTime } from "ulidx";
import { ENDED_STATUSES } from "../../action-rows.js";
import type { TenantPurge } from "../../port.js";
import type { Connection } from "../connection.js";

/**
 * The retention purge (finished deliveries, their attempts, events no delivery needs, ended action
 * runs and their reports), and a tenant's removal.
 */
export function retentionOps(
  db: Connection,
  purgeTopology: (tenant: string) => { sources: number; destinations: number; routes: number },
) {
  // Ended runs (and their reports) whose last change is older than the cutoff; a run with a
  // report still pending stays until the report ends.
  const ended = `
    SELECT id FROM action_runs r
    WHERE phase IS NULL AND status IN (${ENDED_STATUSES.map((s) => `'${s}'`).join(", ")}) AND updated_at < @cutoff
      AND NOT EXISTS (SELECT 1 FROM action_reports p WHERE p.run_id = r.id AND p.state = 'pending')`;
  const purgeEndedRuns = (cutoff: number): void => {
    db.prepare(`DELETE FROM action_reports WHERE run_id IN (${ended})`).run({ cutoff });
    db.prepare(`DELETE FROM action_runs WHERE id IN (${ended})`).run({ cutoff });
  };
  // Before events are deleted: their seqs are never given again (the "event stream" migration says why).
  const keepSeqHigh = db.prepare(
    "UPDATE event_seq SET high = max(high, coalesce((SELECT max(seq) FROM events), 0))",
  );
  const purge = db.transaction((cutoff: number) => {
    db.prepare(
      "DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE status != 'pending' AND updated_at < ?)",
    ).run(cutoff);
    const d = db.prepare("DELETE FROM deliveries WHERE status != 'pending' AND updated_at < ?").run(cutoff);
    // Ids are ULIDs made at receipt, so the time bound is an id bound on the unique index.
    keepSeqHigh.run();
    const e = db
      .prepare(
        "DELETE FROM events WHERE id < ? AND received_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id)",
      )
      .run(`evt_${encodeTime(Math.max(0, cutoff), 10)}`, cutoff);
    purgeEndedRuns(cutoff);
    return { events: e.changes, deliveries: d.changes };
  });

  const purgeTenant = db.transaction((tenant: string): TenantPurge => {
    const attempts = db
      .prepare("DELETE FROM attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE tenant = ?)")
      .run(tenant).changes;
    const deliveries = db.prepare("DELETE FROM deliveries WHERE tenant = ?").run(tenant).changes;
    keepSeqHigh.run();
    const events = db.prepare("DELETE FROM events WHERE tenant = ?").run(tenant).changes;
    const destinationStates = db
      .prepare("DELETE FROM destination_state WHERE tenant = ?")
      .run(tenant).changes;
    const actionReports = db
      .prepare("DELETE FROM action_reports WHERE run_id IN (SELECT id FROM action_runs WHERE tenant = ?)")
      .run(tenant).changes;
    const actionRuns = db.prepare("DELETE FROM action_runs WHERE tenant = ?").run(tenant).changes;
    return {
      events,
      deliveries,
      attempts,
      destinationStates,
      ...purgeTopology(tenant),
      actionRuns,
      actionReports,
    };
  });

  return {
    purge: (cutoff: number) => purge.immediate(cutoff),
    purgeTenant: (tenant: string) => purgeTenant.immediate(tenant),
  };
}
