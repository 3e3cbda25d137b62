import {
  type ActionReportRow,
  type ActionRunRow,
  attemptJson,
  changeColumns,
  GONE_STATUSES,
  toActionReport,
  toActionRun,
} from "../action-rows.js";
import type { ActionRunChange, ActionStore } from "../actions-port.js";
import { type Fragment, guard, type Sql, type Tx } from "./connection.js";

// A lease is held by its owner until another owner claims the row (which it may once the lease
// has run out) or the owner releases it: a change arriving after `lease_until`, with nobody
// having taken over, still counts. A takeover always changes the owner, so the late change of
// the one before is refused.

/** Runs a write under the store's guard, remembering whether it could commit. */
type Write = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

/** Action runs and reports: reads and claims one statement each, a change with its report one transaction. */
export function actionStore(sql: Sql, write: Write): ActionStore {
  const read = <T>(fn: () => Promise<T>) => guard("read", fn);
  // A report is the next of its run while no older report of the run is pending.
  const headOfRun = sql`NOT EXISTS (
    SELECT 1 FROM action_reports o WHERE o.run_id = r.run_id AND o.state = 'pending' AND o.seq < r.seq
  )`;
  return {
    claimRuns: (owner, now, leaseUntil, limit) =>
      write("claim", async () => {
        const rows = await sql<ActionRunRow[]>`
          WITH picked AS (
            SELECT id FROM action_runs
            WHERE phase IS NOT NULL AND (next_run_at IS NULL OR next_run_at <= ${now})
              AND (lease_until IS NULL OR lease_until < ${now})
            ORDER BY id LIMIT ${Math.max(0, limit)} FOR UPDATE SKIP LOCKED
          )
          UPDATE action_runs r SET lease_owner = ${owner}, lease_until = ${leaseUntil},
            lease_ms = ${leaseUntil - now}, lease_phase = r.phase
          FROM picked WHERE r.id = picked.id RETURNING r.*
        `;
        return rows.map(toActionRun).sort((a, b) => (a.id < b.id ? -1 : 1));
      }),
    changeRun: (id, owner, change, now, keepLease = false) =>
      write("change", async () => {
        const report = change.report;
        if (!report) return (await changeRunIn(sql, id, owner, change, now, keepLease)).count > 0;
        return sql.begin(async (tx) => {
          // The run's row lock, held to commit, queues the reports of one run in seq order.
          if ((await changeRunIn(tx, id, owner, change, now, keepLease)).count === 0) return false;
          await tx`
            INSERT INTO action_reports (id, run_id, tenant, target, body, state, next_attempt_at, deadline_at,
              created_at)
            SELECT ${report.id}, id, tenant, ${report.target ?? "action"}, ${report.body}, 'pending', ${now},
              ${report.deadlineAt}, ${now}
            FROM action_runs WHERE id = ${id}
          `;
          return true;
        });
      }),
    claimReports: (owner, now, leaseUntil, limit) =>
      write("claim", async () => {
        // A report whose older sibling another claim holds is not its run's head: it waits.
        const rows = await sql<ActionReportRow[]>`
          WITH picked AS (
            SELECT seq FROM action_reports r
            WHERE state = 'pending' AND next_attempt_at <= ${now}
              AND (lease_until IS NULL OR lease_until < ${now}) AND ${headOfRun}
            ORDER BY seq LIMIT ${Math.max(0, limit)} FOR UPDATE SKIP LOCKED
          )
          UPDATE action_reports r SET lease_owner = ${owner}, lease_until = ${leaseUntil}
          FROM picked WHERE r.seq = picked.seq RETURNING r.*
        `;
        return rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toActionReport);
      }),
    recordReport: (id, owner, attempt, next) =>
      write("record", async () => {
        const nextAt = next.state === "pending" ? next.nextAttemptAt : null;
        const updated = await sql`
          UPDATE action_reports SET attempts = attempts || jsonb_build_array(${attemptJson(attempt)}::text::jsonb),
            state = ${next.state}, next_attempt_at = ${nextAt}, lease_owner = NULL, lease_until = NULL
          WHERE id = ${id} AND lease_owner = ${owner} AND state = 'pending'
        `;
        return updated.count > 0;
      }),
    getRun: (id, tenant) =>
      read(async () => {
        const ofTenant = tenant === undefined ? sql`` : sql`AND tenant = ${tenant}`;
        const [row] = await sql<ActionRunRow[]>`SELECT * FROM action_runs WHERE id = ${id} ${ofTenant}`;
        if (!row) return null;
        const reports = await sql<ActionReportRow[]>`
          SELECT * FROM action_reports WHERE run_id = ${id} ORDER BY seq
        `;
        return { run: toActionRun(row), reports: reports.map(toActionReport) };
      }),
    listRuns: (q) =>
      read(async () => {
        const where: Fragment[] = [];
        if (q.tenant !== undefined) where.push(sql`tenant = ${q.tenant}`);
        if (q.kind !== undefined) where.push(sql`kind = ${q.kind}`);
        if (q.deploymentId !== undefined) where.push(sql`deployment_id = ${q.deploymentId}`);
        if (q.status !== undefined) where.push(sql`status = ${q.status}`);
        // Ids are ULIDs made when the run was, so the cursor is an id bound on the index.
        if (q.before !== undefined) where.push(sql`id < ${q.before}`);
        const filter =
          where.length === 0 ? sql`` : sql`WHERE ${where.reduce((all, c) => sql`${all} AND ${c}`)}`;
        const rows = await sql<ActionRunRow[]>`
          SELECT * FROM action_runs ${filter} ORDER BY id DESC LIMIT ${q.limit}
        `;
        return rows.map(toActionRun);
      }),
    runsSharing: (tenant, action, key, value) =>
      read(async () => {
        // Only a string of `made` shares, as on SQLite.
        const rows = await sql<ActionRunRow[]>`
          SELECT * FROM action_runs
          WHERE tenant = ${tenant} AND action = ${action} AND status <> ALL(${GONE_STATUSES as string[]}::text[])
            AND jsonb_typeof(made -> ${key}::text) = 'string' AND made ->> ${key}::text = ${value}
          ORDER BY id
        `;
        return rows.map(toActionRun);
      }),
    nextDueAt: () =>
      read(async () => {
        // A leased row is due when its lease runs out (a holder that stopped leaves it leased).
        const [row] = await sql<{ at: number | null }[]>`
          SELECT min(at) AS at FROM (
            SELECT greatest(coalesce(next_run_at, updated_at), coalesce(lease_until + 1, 0)) AS at
            FROM action_runs WHERE phase IS NOT NULL
            UNION ALL
            SELECT greatest(next_attempt_at, coalesce(lease_until + 1, 0)) AS at
            FROM action_reports r WHERE state = 'pending' AND ${headOfRun}
          ) due
        `;
        return row?.at ?? null;
      }),
    releaseLeases: () =>
      write("release", async () => {
        await sql.begin(async (tx) => {
          await tx`UPDATE action_runs SET lease_owner = NULL, lease_until = NULL, lease_ms = NULL, lease_phase = NULL
            WHERE lease_owner IS NOT NULL`;
          await tx`UPDATE action_reports SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL`;
        });
      }),
  };
}

/**
 * The one UPDATE of a change, if `owner` holds the run. Every expression reads the row as it was:
 * `phase = done` is the phase before this change.
 */
function changeRunIn(
  q: Sql | Tx,
  id: string,
  owner: string,
  change: ActionRunChange,
  now: number,
  keep: boolean,
) {
  const c = changeColumns(id, owner, change, now, keep);
  return q`
    UPDATE action_runs SET
      status = CASE WHEN ${c.set_status}::boolean THEN ${c.status}::text ELSE status END,
      status_text = CASE WHEN ${c.set_status_text}::boolean THEN ${c.status_text}::text ELSE status_text END,
      made = CASE WHEN ${c.set_made}::boolean THEN ${c.made}::text::jsonb ELSE made END,
      external_id = coalesce(${c.external_id}::text, external_id),
      steps = CASE WHEN ${c.step}::text IS NULL THEN steps
        ELSE steps || jsonb_build_array(jsonb_build_object('at', ${now}::bigint, 'text', ${c.step}::text)) END,
      phase = CASE WHEN phase = ${c.done}::text THEN NULL ELSE phase END,
      next_run_at = CASE WHEN phase = ${c.done}::text THEN NULL
        WHEN ${c.retry_at}::bigint IS NOT NULL AND phase = lease_phase THEN ${c.retry_at}::bigint
        ELSE next_run_at END,
      updated_at = greatest(updated_at, ${now}::bigint),
      lease_owner = CASE WHEN ${keep}::boolean THEN lease_owner END,
      lease_until = CASE WHEN ${keep}::boolean THEN ${now}::bigint + lease_ms END,
      lease_ms = CASE WHEN ${keep}::boolean THEN lease_ms END,
      lease_phase = CASE WHEN ${keep}::boolean THEN lease_phase END
    WHERE id = ${id} AND lease_owner = ${owner}
  `;
}
