/** The run gate: whether an installation's settings let a deployment action or check run for a deployment. */
import { type RunItemKind, type RunSetting, runScopeOf } from "../core/run-settings.js";
import type { VercelDeployment } from "../integration/vercel-api.js";
import type { ActionRun } from "../storage/actions-port.js";
import { ActionFailure } from "./executor.js";

/** What Vercel and the run's page are told of an action turned off for the deployment's project. */
export const ACTION_OFF_TEXT = "Turned off for this project in Switchyard";
/** What a check run's page says when the check is turned off for the deployment's project. */
export const CHECK_OFF_TEXT = "Turned off for this project";

/** Whether deciding needs the deployment's project: only for an item that runs for chosen projects. */
export function gateNeedsProject(settings: readonly RunSetting[], kind: RunItemKind, name: string): boolean {
  return typeof runScopeOf(settings, kind, name) !== "string";
}

/**
 * Whether an installation's settings turn off a run of `kind` `name` for a deployment of
 * `projectId`: the text that says so, or null when it runs. A deployment whose project is not
 * known runs only where the item runs for every project.
 */
export function turnedOff(
  settings: readonly RunSetting[],
  kind: RunItemKind,
  name: string,
  projectId: string | null,
): string | null {
  const scope = runScopeOf(settings, kind, name);
  const runs = scope === "all" || (scope !== "off" && projectId !== null && scope.includes(projectId));
  if (runs) return null;
  return kind === "action" ? ACTION_OFF_TEXT : CHECK_OFF_TEXT;
}

/**
 * How an action's start ends without its executor: `succeeded` when the installation turned the
 * action off for the deployment's project (read from Vercel only when the event does not name it
 * and the choice depends on it), `failed` when that project could not be read; null when it runs.
 */
export async function gateStart(
  run: ActionRun,
  settings: readonly RunSetting[],
  deployment: () => Promise<VercelDeployment>,
): Promise<{ status: "succeeded" | "failed"; statusText: string } | null> {
  let projectId = run.projectId;
  if (projectId === null && gateNeedsProject(settings, "action", run.action)) {
    try {
      projectId = (await deployment()).projectId;
    } catch (error) {
      if (!(error instanceof ActionFailure)) throw error;
      return { status: "failed", statusText: error.message };
    }
  }
  const off = turnedOff(settings, "action", run.action, projectId);
  return off === null ? null : { status: "succeeded", statusText: off };
}
