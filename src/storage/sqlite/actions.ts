import {
  type ActionReportRow,
  type ActionRunRow,
  attemptJson,
  changeColumns,
  GONE_STATUSES,
  toActionReport,
  toActionRun,
} from "../action-rows.js";
import type {
  ActionReport,
  ActionRun,
  ActionRunChange,
  ActionRunDetail,
  ActionRunQuery,
  ActionStore,
  ReportAttempt,
} from "../actions-port.js";
import { boundLimit, type Connection } from "./connection.js";

// A lease is held by its owner until another owner claims the row (which it may once the lease
// has run out) or the owner releases it: a change arriving after `lease_until`, with nobody
// having taken over, still counts. A takeover always changes the owner, so the late change of
// the one before is refused.

/** What a report's attempt leaves it as. */
type ReportNext = Parameters<ActionStore["recordReport"]>[3];

const GONE = GONE_STATUSES.map((s) => `'${s}'`).join(", ");

/** A report is the next of its run while no older report of the run is pending. */
const HEAD_OF_RUN =
  "NOT EXISTS (SELECT 1 FROM action_reports o WHERE o.run_id = r.run_id AND o.state = 'pending' AND o.seq < r.seq)";

/** SQLite binds no booleans: flags go in as 0 and 1. */
const bits = <T extends Record<string, unknown>>(row: T) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "boolean" ? Number(v) : v]));

/** Reads of action runs and reports, on the read-only connection. */
export function actionReads(db: Connection) {
  const run = db.prepare("SELECT * FROM action_runs WHERE id = ?");
  const tenantRun = db.prepare("SELECT * FROM action_runs WHERE id = ? AND tenant = ?");
  const reports = db.prepare("SELECT * FROM action_reports WHERE run_id = ? ORDER BY seq");
  // A strict lookup by type: only a string of `made` shares, on PostgreSQL alike. json_each rather
  // than json_extract, so that no character of the key can change the path.
  const sharing = db.prepare(`
    SELECT * FROM action_runs r
    WHERE tenant = @tenant AND action = @action AND status NOT IN (${GONE})
      AND EXISTS (SELECT 1 FROM json_each(r.made) j WHERE j.key = @key AND j.type = 'text' AND j.value = @value)
    ORDER BY id
  `);
  // A leased row is due when its lease runs out (a holder that stopped leaves it leased).
  const due = db
    .prepare(`
      SELECT min(at) FROM (
        SELECT max(coalesce(next_run_at, updated_at), coalesce(lease_until + 1, 0)) AS at
        FROM action_runs WHERE phase IS NOT NULL
        UNION ALL
        SELECT max(next_attempt_at, coalesce(lease_until + 1, 0)) AS at
        FROM action_reports r WHERE state = 'pending' AND ${HEAD_OF_RUN}
      )
    `)
    .pluck();
  return {
    getRun(id: string, tenant?: string): ActionRunDetail | null {
      const row = (tenant === undefined ? run.get(id) : tenantRun.get(id, tenant)) as
        | ActionRunRow
        | undefined;
      if (!row) return null;
      return {
        run: toActionRun(row),
        reports: (reports.all(id) as ActionReportRow[]).map(toActionReport),
      };
    },
    listRuns(q: ActionRunQuery): ActionRun[] {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: q.limit };
      const add = (clause: string, name: string, value: unknown) => {
        if (value === undefined) return;
        where.push(clause);
        params[name] = value;
      };
      add("tenant = @tenant", "tenant", q.tenant);
      add("kind = @kind", "kind", q.kind);
      add("deployment_id = @deployment", "deployment", q.deploymentId);
      add("status = @status", "status", q.status);
      // Ids are ULIDs made when the run was, so the cursor is an id bound on the index.
      add("id < @before", "before", q.before);
      const filter = where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`;
      const rows = db
        .prepare(`SELECT * FROM action_runs ${filter} ORDER BY id DESC LIMIT ${boundLimit("@limit")}`)
        .all(params) as ActionRunRow[];
      return rows.map(toActionRun);
    },
    runsSharing: (tenant: string, action: string, key: string, value: string): ActionRun[] =>
      (sharing.all({ tenant, action, key, value }) as ActionRunRow[]).map(toActionRun),
    nextDueAt: (): number | null => (due.get() as number | null) ?? null,
  };
}

/** Claims, changes and records of runs and reports, each one synchronous `BEGIN IMMEDIATE` unit on the writer thread. */
export function actionOps(db: Connection) {
  // A SELECT, then an UPDATE per row, as the deliveries' claim does.
  const dueRuns = db
    .prepare(`
      SELECT id FROM action_runs
      WHERE phase IS NOT NULL AND (next_run_at IS NULL OR next_run_at <= @now)
        AND (lease_until IS NULL OR lease_until < @now)
      ORDER BY id LIMIT ${boundLimit("@limit")}
    `)
    .pluck();
  const leaseRun = db.prepare(`
    UPDATE action_runs SET lease_owner = @owner, lease_until = @until, lease_ms = @ms, lease_phase = phase
    WHERE id = @id RETURNING *
  `);
  // Every expression reads the row as it was: `phase = @done` is the phase before this change.
  const change = db.prepare(`
    UPDATE action_runs SET
      status = CASE WHEN @set_status THEN @status ELSE status END,
      status_text = CASE WHEN @set_status_text THEN @status_text ELSE status_text END,
      made = CASE WHEN @set_made THEN @made ELSE made END,
      external_id = coalesce(@external_id, external_id),
      steps = CASE WHEN @step IS NULL THEN steps
        ELSE json_insert(steps, '$[#]', json_object('at', @now, 'text', @step)) END,
      phase = CASE WHEN phase = @done THEN NULL ELSE phase END,
      next_run_at = CASE WHEN phase = @done THEN NULL
        WHEN @retry_at IS NOT NULL AND phase = lease_phase THEN @retry_at ELSE next_run_at END,
      updated_at = max(updated_at, @now),
      lease_owner = CASE WHEN @keep THEN lease_owner END,
      lease_until = CASE WHEN @keep THEN @now + lease_ms END,
      lease_ms = CASE WHEN @keep THEN lease_ms END,
      lease_phase = CASE WHEN @keep THEN lease_phase END
    WHERE id = @id AND lease_owner = @owner
  `);
  const queueReport = db.prepare(`
    INSERT INTO action_reports (id, run_id, tenant, target, body, state, next_attempt_at, deadline_at, created_at)
    SELECT @report_id, id, tenant, @target, @body, 'pending', @now, @deadline_at, @now FROM action_runs WHERE id = @id
  `);
  const dueReports = db
    .prepare(`
      SELECT seq FROM action_reports r
      WHERE state = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until < @now)
        AND ${HEAD_OF_RUN}
      ORDER BY seq LIMIT ${boundLimit("@limit")}
    `)
    .pluck();
  const leaseReport = db.prepare(
    "UPDATE action_reports SET lease_owner = @owner, lease_until = @until WHERE seq = @seq RETURNING *",
  );
  const record = db.prepare(`
    UPDATE action_reports SET attempts = json_insert(attempts, '$[#]', json(@attempt)), state = @state,
      next_attempt_at = @next, lease_owner = NULL, lease_until = NULL
    WHERE id = @id AND lease_owner = @owner AND state = 'pending'
  `);

  // A limit of 0 must take nothing: SQLite reads a negative LIMIT as none.
  const claimRuns = db.transaction((owner: string, now: number, until: number, limit: number) =>
    (dueRuns.all({ now, limit: Math.max(0, limit) }) as string[]).map((id) =>
      toActionRun(leaseRun.get({ id, owner, until, ms: until - now }) as ActionRunRow),
    ),
  );
  const changeRun = db.transaction(
    (id: string, owner: string, c: ActionRunChange, now: number, keep: boolean): boolean => {
      if (change.run(bits(changeColumns(id, owner, c, now, keep))).changes === 0) return false;
      if (c.report) {
        queueReport.run({
          id,
          report_id: c.report.id,
          target: c.report.target ?? "action",
          body: c.report.body,
          deadline_at: c.report.deadlineAt,
          now,
        });
      }
      return true;
    },
  );
  const claimReports = db.transaction((owner: string, now: number, until: number, limit: number) =>
    (dueReports.all({ now, limit: Math.max(0, limit) }) as number[]).map((seq) =>
      toActionReport(leaseReport.get({ seq, owner, until }) as ActionReportRow),
    ),
  );

  const releaseRuns = db.prepare(
    "UPDATE action_runs SET lease_owner = NULL, lease_until = NULL, lease_ms = NULL, lease_phase = NULL WHERE lease_owner IS NOT NULL",
  );
  const releaseReports = db.prepare(
    "UPDATE action_reports SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL",
  );
  const release = db.transaction(() => releaseRuns.run().changes + releaseReports.run().changes);

  return {
    claimRuns: (owner: string, now: number, leaseUntil: number, limit: number): ActionRun[] =>
      claimRuns.immediate(owner, now, leaseUntil, limit),
    releaseActionLeases: (): number => release.immediate(),
    changeRun: (id: string, owner: string, c: ActionRunChange, now: number, keepLease: boolean): boolean =>
      changeRun.immediate(id, owner, c, now, keepLease),
    claimReports: (owner: string, now: number, leaseUntil: number, limit: number): ActionReport[] =>
      claimReports.immediate(owner, now, leaseUntil, limit),
    recordReport: (id: string, owner: string, attempt: ReportAttempt, next: ReportNext): boolean =>
      record.run({
        id,
        owner,
        attempt: attemptJson(attempt),
        state: next.state,
        next: next.state === "pending" ? next.nextAttemptAt : null,
      }).changes > 0,
  };
}
