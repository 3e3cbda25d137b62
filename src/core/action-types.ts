/** What an ingested deployment-action event asks of the store (see storage/actions-port.ts). */

/** What a run has to do next. */
export type ActionPhase = "start" | "cancel" | "cleanup";

/** Which run: one action of one deployment for one installation's resource. */
export interface ActionKey {
  /** The installation (`icfg_…`): the tenant of the run. */
  tenant: string;
  deploymentId: string;
  resourceId: string;
  /** The action's slug, as declared in Vercel's Integration Console. */
  action: string;
}

/**
 * What an ingested action event asks, applied in the event's own transaction and only when the
 * event is not a duplicate:
 * - `start`: creates the run (status `queued`, phase `start`) unless its key has one already;
 * - `cancel`: sets phase `cancel` on the run unless it ended `canceled` or `cleaned`; a key with no
 *   run gets one that is `canceled` with nothing to do;
 * - `cleanup`: sets phase `cleanup` on the run unless it is `cleaned`; a key with no run: nothing.
 */
export interface ActionCommand extends ActionKey {
  kind?: "action";
  phase: ActionPhase;
  /** The id a new run gets (`act_…`). */
  runId: string;
  projectId: string | null;
}

/** What a check run has to do next: create the check in Vercel, run it, or conclude it canceled. */
export type CheckPhase = "create" | "run" | "cancel";

/**
 * What an ingested deployment event asks of a tenant's check runs (kind `check`, keyed by tenant,
 * deployment and check name), applied in the event's own transaction unless it is a duplicate:
 * - `create`: creates the run (status `queued`, phase `create`) unless its key has one;
 * - `ready`: sets phase `run` on a run still `queued` (a repeat, or the legacy event, finds it
 *   running or done and changes nothing) unless a cancel stands; a key with no run gets one;
 * - `rerequest`: sets phase `run` on the run of Vercel's check `checkId` once it ended succeeded
 *   or failed;
 * - `cancel`: sets phase `cancel` on the deployment's check runs that are queued or running.
 */
export interface CheckCommand {
  kind: "check";
  op: "create" | "ready" | "rerequest" | "cancel";
  tenant: string;
  deploymentId: string;
  /** The configured check's name (`create`, `ready`). */
  name: string | null;
  /** Vercel's id of the check (`rerequest`). */
  checkId: string | null;
  /** The id a new run gets (`act_…`). */
  runId: string;
  projectId: string | null;
}

/** What an event asks of deployment action and check runs. */
export type RunCommand = ActionCommand | CheckCommand;
