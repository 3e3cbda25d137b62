import type { RunCommand } from "../../core/action-types.js";
import { checkCommandColumns, commandColumns } from "../action-rows.js";
import type { Connection } from "./connection.js";

/**
 * What an ingested event's action commands do to runs (the semantics written on ActionCommand),
 * each one statement, run inside the event's transaction. A phase newly set is due at once: a
 * retry's wait belonged to the phase before it.
 */
export function actionCommands(db: Connection) {
  const start = db.prepare(`
    INSERT INTO action_runs (id, tenant, deployment_id, resource_id, action, project_id, event_id, status, phase,
      created_at, updated_at)
    VALUES (@id, @tenant, @deployment_id, @resource_id, @action, @project_id, @event_id, 'queued', 'start', @now, @now)
    ON CONFLICT (tenant, deployment_id, resource_id, action, kind) DO NOTHING
  `);
  // A key with no run gets one that is canceled with nothing to do; a run that ended canceled or
  // cleaned stays as it is.
  const cancel = db.prepare(`
    INSERT INTO action_runs (id, tenant, deployment_id, resource_id, action, project_id, event_id, status, phase,
      created_at, updated_at)
    VALUES (@id, @tenant, @deployment_id, @resource_id, @action, @project_id, @event_id, 'canceled', NULL, @now, @now)
    ON CONFLICT (tenant, deployment_id, resource_id, action, kind) DO UPDATE SET
      phase = 'cancel',
      next_run_at = CASE WHEN phase = 'cancel' THEN next_run_at END,
      updated_at = max(updated_at, excluded.updated_at)
    WHERE status NOT IN ('canceled', 'cleaned')
  `);
  const cleanup = db.prepare(`
    UPDATE action_runs SET
      phase = 'cleanup',
      next_run_at = CASE WHEN phase = 'cleanup' THEN next_run_at END,
      updated_at = max(updated_at, @now)
    WHERE tenant = @tenant AND deployment_id = @deployment_id AND resource_id = @resource_id AND action = @action
      AND status <> 'cleaned'
  `);
  const statements = { start, cancel, cleanup };
  const checks = checkCommands(db);
  /** Applies one stored event's commands, in order. */
  return (eventId: string, commands: readonly RunCommand[], now: number): void => {
    for (const c of commands) {
      if (c.kind === "check") checks[c.op].run(checkCommandColumns(c, eventId, now));
      else statements[c.phase].run(commandColumns(c, eventId, now));
    }
  };
}

/** The statements of check commands (the semantics written on CheckCommand). */
function checkCommands(db: Connection) {
  const create = db.prepare(`
    INSERT INTO action_runs (id, kind, tenant, deployment_id, resource_id, action, project_id, event_id, status,
      phase, created_at, updated_at)
    VALUES (@id, 'check', @tenant, @deployment_id, '', @action, @project_id, @event_id, 'queued', 'create', @now, @now)
    ON CONFLICT (tenant, deployment_id, resource_id, action, kind) DO NOTHING
  `);
  // Once: only a run that has not started takes the phase, so a repeat (or the legacy event) finds it
  // running or done. A cancel that stands wins.
  const ready = db.prepare(`
    INSERT INTO action_runs (id, kind, tenant, deployment_id, resource_id, action, project_id, event_id, status,
      phase, created_at, updated_at)
    VALUES (@id, 'check', @tenant, @deployment_id, '', @action, @project_id, @event_id, 'queued', 'run', @now, @now)
    ON CONFLICT (tenant, deployment_id, resource_id, action, kind) DO UPDATE SET
      phase = 'run',
      next_run_at = CASE WHEN phase = 'run' THEN next_run_at END,
      updated_at = max(updated_at, excluded.updated_at)
    WHERE status = 'queued' AND coalesce(phase, '') <> 'cancel'
  `);
  const rerequest = db.prepare(`
    UPDATE action_runs SET phase = 'run', status = 'queued', next_run_at = NULL, updated_at = max(updated_at, @now)
    WHERE kind = 'check' AND tenant = @tenant AND deployment_id = @deployment_id AND external_id = @check_id
      AND status IN ('succeeded', 'failed') AND phase IS NULL
  `);
  const cancel = db.prepare(`
    UPDATE action_runs SET
      phase = 'cancel',
      next_run_at = CASE WHEN phase = 'cancel' THEN next_run_at END,
      updated_at = max(updated_at, @now)
    WHERE kind = 'check' AND tenant = @tenant AND deployment_id = @deployment_id AND status IN ('queued', 'running')
  `);
  // A checks-v2 run: Vercel made it, so its key is Vercel's ids and its external id is known at once.
  const checkrunStart = db.prepare(`
    INSERT INTO action_runs (id, kind, tenant, deployment_id, resource_id, action, project_id, event_id, status,
      phase, external_id, created_at, updated_at)
    VALUES (@id, 'check', @tenant, @deployment_id, @resource_id, @action, @project_id, @event_id, 'queued', 'run',
      @resource_id, @now, @now)
    ON CONFLICT (tenant, deployment_id, resource_id, action, kind) DO NOTHING
  `);
  // A key with no run gets one that is canceled with nothing to do; a run that ended stays as it is.
  const checkrunCancel = db.prepare(`
    INSERT INTO action_runs (id, kind, tenant, deployment_id, resource_id, action, project_id, event_id, status,
      phase, external_id, created_at, updated_at)
    VALUES (@id, 'check', @tenant, @deployment_id, @resource_id, @action, @project_id, @event_id, 'canceled', NULL,
      @resource_id, @now, @now)
    ON CONFLICT (tenant, deployment_id, resource_id, action, kind) DO UPDATE SET
      phase = 'cancel',
      next_run_at = CASE WHEN phase = 'cancel' THEN next_run_at END,
      updated_at = max(updated_at, excluded.updated_at)
    WHERE status IN ('queued', 'running')
  `);
  return {
    create,
    ready,
    rerequest,
    cancel,
    "checkrun-start": checkrunStart,
    "checkrun-cancel": checkrunCancel,
  };
}
