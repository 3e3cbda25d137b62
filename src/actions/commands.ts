import type { ActionCommand, ActionPhase } from "../core/action-types.js";
import { newActionRunId } from "../core/ids.js";
import { isJsonObject } from "../core/json-object.js";

const PHASES: Record<string, ActionPhase> = {
  "deployment.integration.action.start": "start",
  "deployment.integration.action.cancel": "cancel",
  "deployment.integration.action.cleanup": "cleanup",
};

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/**
 * What a deployment integration action event asks of `tenant`'s runs: nothing for any other
 * event, or for one that does not name its deployment, resource and action.
 */
export function actionCommandsFor(type: string, body: unknown, tenant: string, now: number): ActionCommand[] {
  const phase = PHASES[type];
  if (!phase || !isJsonObject(body) || !isJsonObject(body.payload)) return [];
  const payload = body.payload;
  const deploymentId = text(isJsonObject(payload.deployment) ? payload.deployment.id : null);
  const resourceId = text(payload.resourceId);
  const action = text(payload.action);
  if (!deploymentId || !resourceId || !action) return [];
  const projectId = text(isJsonObject(payload.project) ? payload.project.id : null);
  return [{ tenant, deploymentId, resourceId, action, phase, runId: newActionRunId(now), projectId }];
}
