import type { ActionCommand } from "../../core/action-types.js";
import { commandColumns } from "../action-rows.js";
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
    ON CONFLICT (tenant, deployment_id, resource_id, action) DO NOTHING
  `);
  // A key with no run gets one that is canceled with nothing to do; a run that ended canceled or
  // cleaned stays as it is.
  const cancel = db.prepare(`
    INSERT INTO action_runs (id, tenant, deployment_id, resource_id, action, project_id, event_id, status, phase,
      created_at, updated_at)
    VALUES (@id, @tenant, @deployment_id, @resource_id, @action, @project_id, @event_id, 'canceled', NULL, @now, @now)
    ON CONFLICT (tenant, deployment_id, resource_id, action) DO UPDATE SET
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
  /** Applies one stored event's commands, in order. */
  return (eventId: string, commands: readonly ActionCommand[], now: number): void => {
    for (const c of commands) statements[c.phase].run(commandColumns(c, eventId, now));
  };
}
