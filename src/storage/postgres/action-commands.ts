import type { CheckCommand, RunCommand } from "../../core/action-types.js";
import type { IncomingEvent } from "../../core/types.js";
import { checkCommandColumns, commandColumns, isCheckRunCommand } from "../action-rows.js";
import type { Tx } from "./connection.js";

/** A command with the event that asks for it. */
interface Asked {
  command: RunCommand;
  eventId: string;
  now: number;
}

/** A run's key in a sort: JSON of its parts, so no part's characters make two keys collide. */
const keyOf = ({ command: c }: Asked) =>
  JSON.stringify(
    c.kind !== "check"
      ? [c.tenant, c.deploymentId, c.resourceId, c.action]
      : isCheckRunCommand(c)
        ? [c.tenant, c.deploymentId, c.checkRunId ?? "", c.checkId ?? "", "check"]
        : [c.tenant, c.deploymentId, "", c.name ?? "", "check"],
  );

/**
 * Applies the action commands of stored events (the semantics written on ActionCommand), inside
 * the events' transaction, one statement per command, sent together. Commands go by run key (in
 * event order within a key), so transactions that touch the same runs lock them in one order and
 * cannot deadlock. A phase newly set is due at once: a retry's wait belonged to the phase before.
 */
export async function applyActionCommands(tx: Tx, stored: readonly IncomingEvent[]): Promise<void> {
  const asked = stored.flatMap((e) =>
    (e.actions ?? []).map((command) => ({ command, eventId: e.id, now: e.receivedAt })),
  );
  if (asked.length === 0) return;
  // Array.prototype.sort is stable: a key's commands keep their order.
  const sorted = asked
    .map((a) => ({ a, key: keyOf(a) }))
    .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  await Promise.all(sorted.map(({ a }) => statement(tx, a)));
}

function statement(tx: Tx, { command, eventId, now }: Asked) {
  if (command.kind === "check") return checkStatement(tx, command, eventId, now);
  const c = commandColumns(command, eventId, now);
  switch (command.phase) {
    case "start":
      return tx`
        INSERT INTO action_runs (id, tenant, deployment_id, resource_id, action, project_id, event_id, status,
          phase, created_at, updated_at)
        VALUES (${c.id}, ${c.tenant}, ${c.deployment_id}, ${c.resource_id}, ${c.action}, ${c.project_id},
          ${c.event_id}, 'queued', 'start', ${now}, ${now})
        ON CONFLICT (tenant, deployment_id, resource_id, action, kind) DO NOTHING
      `;
    case "cancel":
      // A key with no run gets one that is canceled with nothing to do; a run that ended canceled
      // or cleaned stays as it is.
      return tx`
        INSERT INTO action_runs (id, tenant, deployment_id, resource_id, action, project_id, event_id, status,
          phase, created_at, updated_at)
        VALUES (${c.id}, ${c.tenant}, ${c.deployment_id}, ${c.resource_id}, ${c.action}, ${c.project_id},
          ${c.event_id}, 'canceled', NULL, ${now}, ${now})
        ON CONFLICT (tenant, deployment_id, resource_id, action, kind) DO UPDATE SET
          phase = 'cancel',
          next_run_at = CASE WHEN action_runs.phase = 'cancel' THEN action_runs.next_run_at END,
          updated_at = greatest(action_runs.updated_at, excluded.updated_at)
        WHERE action_runs.status NOT IN ('canceled', 'cleaned')
      `;
    case "cleanup":
      return tx`
        UPDATE action_runs SET
          phase = 'cleanup',
          next_run_at = CASE WHEN phase = 'cleanup' THEN next_run_at END,
          updated_at = greatest(updated_at, ${now})
        WHERE tenant = ${c.tenant} AND deployment_id = ${c.deployment_id} AND resource_id = ${c.resource_id}
          AND action = ${c.action} AND status <> 'cleaned'
      `;
  }
}

/** A check command's one statement (the semantics written on CheckCommand). */
function checkStatement(tx: Tx, command: CheckCommand, eventId: string, now: number) {
  const c = checkCommandColumns(command, eventId, now);
  switch (command.op) {
    case "create":
      return tx`
        INSERT INTO action_runs (id, kind, tenant, deployment_id, resource_id, action, project_id, event_id,
          status, phase, created_at, updated_at)
        VALUES (${c.id}, 'check', ${c.tenant}, ${c.deployment_id}, '', ${c.action}, ${c.project_id},
          ${c.event_id}, 'queued', 'create', ${now}, ${now})
        ON CONFLICT (tenant, deployment_id, resource_id, action, kind) DO NOTHING
      `;
    case "ready":
      // Once: only a run that has not started takes the phase; a cancel that stands wins.
      return tx`
        INSERT INTO action_runs (id, kind, tenant, deployment_id, resource_id, action, project_id, event_id,
          status, phase, created_at, updated_at)
        VALUES (${c.id}, 'check', ${c.tenant}, ${c.deployment_id}, '', ${c.action}, ${c.project_id},
          ${c.event_id}, 'queued', 'run', ${now}, ${now})
        ON CONFLICT (tenant, deployment_id, resource_id, action, kind) DO UPDATE SET
          phase = 'run',
          next_run_at = CASE WHEN action_runs.phase = 'run' THEN action_runs.next_run_at END,
          updated_at = greatest(action_runs.updated_at, excluded.updated_at)
        WHERE action_runs.status = 'queued' AND coalesce(action_runs.phase, '') <> 'cancel'
      `;
    case "rerequest":
      return tx`
        UPDATE action_runs SET phase = 'run', status = 'queued', next_run_at = NULL,
          updated_at = greatest(updated_at, ${now})
        WHERE kind = 'check' AND tenant = ${c.tenant} AND deployment_id = ${c.deployment_id}
          AND external_id = ${c.check_id} AND status IN ('succeeded', 'failed') AND phase IS NULL
      `;
    case "cancel":
      return tx`
        UPDATE action_runs SET
          phase = 'cancel',
          next_run_at = CASE WHEN phase = 'cancel' THEN next_run_at END,
          updated_at = greatest(updated_at, ${now})
        WHERE kind = 'check' AND tenant = ${c.tenant} AND deployment_id = ${c.deployment_id}
          AND status IN ('queued', 'running')
      `;
    case "checkrun-start":
      // A checks-v2 run: Vercel made it, so its key is Vercel's ids and its external id is known.
      return tx`
        INSERT INTO action_runs (id, kind, tenant, deployment_id, resource_id, action, project_id, event_id,
          status, phase, external_id, created_at, updated_at)
        VALUES (${c.id}, 'check', ${c.tenant}, ${c.deployment_id}, ${c.resource_id}, ${c.action}, ${c.project_id},
          ${c.event_id}, 'queued', 'run', ${c.resource_id}, ${now}, ${now})
        ON CONFLICT (tenant, deployment_id, resource_id, action, kind) DO NOTHING
      `;
    case "checkrun-cancel":
      // A key with no run gets one that is canceled with nothing to do; a run that ended stays.
      return tx`
        INSERT INTO action_runs (id, kind, tenant, deployment_id, resource_id, action, project_id, event_id,
          status, phase, external_id, created_at, updated_at)
        VALUES (${c.id}, 'check', ${c.tenant}, ${c.deployment_id}, ${c.resource_id}, ${c.action}, ${c.project_id},
          ${c.event_id}, 'canceled', NULL, ${c.resource_id}, ${now}, ${now})
        ON CONFLICT (tenant, deployment_id, resource_id, action, kind) DO UPDATE SET
          phase = 'cancel',
          next_run_at = CASE WHEN action_runs.phase = 'cancel' THEN action_runs.next_run_at END,
          updated_at = greatest(action_runs.updated_at, excluded.updated_at)
        WHERE action_runs.status IN ('queued', 'running')
      `;
  }
}
