import type { CheckCommand } from "../core/action-types.js";
import { newActionRunId } from "../core/ids.js";
import { isJsonObject } from "../core/json-object.js";

/** A configured check as the commands see it: its name and the deployment targets it runs on. */
export interface CheckTargets {
  name: string;
  targets: readonly ("preview" | "production")[];
}

// The legacy names too: an old webhook gets those, and each asks the same once-only thing.
const OPS: Record<string, CheckCommand["op"]> = {
  "deployment.created": "create",
  "deployment.ready": "ready",
  "deployment-ready": "ready",
  "deployment.check-rerequested": "rerequest",
  "deployment-check-rerequested": "rerequest",
  "deployment.canceled": "cancel",
  "deployment-canceled": "cancel",
  "deployment.checkrun.start": "checkrun-start",
  "deployment.checkrun.cancel": "checkrun-cancel",
};

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/**
 * The check commands a deployment event carries for `tenant`, given the configured checks: one
 * per check whose targets hold the deployment's (`production`, else `preview`) on created and
 * ready; one naming Vercel's check on rerequested; one for the deployment on canceled (none of
 * these when no check is configured). A checks-v2 run's start or cancel carries one naming the run,
 * configured checks or not: Vercel made the run and waits for its conclusion, which says so when
 * its check is not configured here.
 */
export function checkCommandsFor(checks: readonly CheckTargets[]) {
  return (type: string, body: unknown, tenant: string, now: number): CheckCommand[] => {
    const op = OPS[type];
    if (!op || !isJsonObject(body) || !isJsonObject(body.payload)) return [];
    const payload = body.payload;
    if (op === "checkrun-start" || op === "checkrun-cancel")
      return checkRunCommands(op, payload, tenant, now);
    if (checks.length === 0) return [];
    const deploymentId = text(isJsonObject(payload.deployment) ? payload.deployment.id : null);
    if (!deploymentId) return [];
    const projectId =
      text(isJsonObject(payload.project) ? payload.project.id : null) ?? text(payload.projectId);
    const base = { kind: "check" as const, op, tenant, deploymentId, projectId, checkRunId: null };
    if (op === "rerequest") {
      const checkId = text(isJsonObject(payload.check) ? payload.check.id : null);
      return checkId ? [{ ...base, name: null, checkId, runId: newActionRunId(now) }] : [];
    }
    if (op === "cancel") return [{ ...base, name: null, checkId: null, runId: newActionRunId(now) }];
    const target = payload.target === "production" ? "production" : "preview";
    return checks
      .filter((c) => c.targets.includes(target))
      .map((c) => ({ ...base, name: c.name, checkId: null, runId: newActionRunId(now) }));
  };
}

/**
 * The command of a checks-v2 run's event: none when it does not name the run and its check, or
 * when the run's source is another installation (the event reached this one by its team).
 */
function checkRunCommands(
  op: "checkrun-start" | "checkrun-cancel",
  payload: Record<string, unknown>,
  tenant: string,
  now: number,
): CheckCommand[] {
  const run = isJsonObject(payload.checkRun) ? payload.checkRun : {};
  const checkRunId = text(run.id);
  const checkId = text(run.checkId);
  const deploymentId =
    text(isJsonObject(payload.deployment) ? payload.deployment.id : null) ?? text(run.deploymentId);
  if (!checkRunId || !checkId || !deploymentId) return [];
  const source = isJsonObject(run.source) ? run.source : {};
  const owner = text(source.integrationConfigurationId);
  if (owner !== null && owner !== tenant) return [];
  const projectId = text(isJsonObject(payload.project) ? payload.project.id : null);
  return [
    {
      kind: "check",
      op,
      tenant,
      deploymentId,
      name: null,
      checkId,
      checkRunId,
      runId: newActionRunId(now),
      projectId,
    },
  ];
}
