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
 * What an ingested deployment event asks of a tenant's check runs (kind `check`), applied in the
 * event's own transaction unless it is a duplicate. A run of Vercel's v1 checks, which Switchyard
 * creates, is keyed by tenant, deployment and check name (resource `""`):
 * - `create`: creates the run (status `queued`, phase `create`) unless its key has one;
 * - `ready`: sets phase `run` on a run still `queued` (a repeat, or the legacy event, finds it
 *   running or done and changes nothing) unless a cancel stands; a key with no run gets one;
 * - `rerequest`: sets phase `run` on the run of Vercel's check `checkId` once it ended succeeded
 *   or failed;
 * - `cancel`: sets phase `cancel` on the deployment's check runs (v2 ones too) that are queued or
 *   running.
 * A run of a checks-v2 run, which Vercel creates, is keyed by tenant, deployment, resource = the
 * check run's id and action = its project check's id, its `externalId` the check run's id:
 * - `checkrun-start`: creates the run (status `queued`, phase `run`) unless its key has one, so a
 *   repeat finds it and does nothing;
 * - `checkrun-cancel`: sets phase `cancel` on the run if it is queued or running; a key with no run
 *   gets one that is `canceled` with nothing to do (a start after it finds it and does nothing).
 */
export interface CheckCommand {
  kind: "check";
  op: "create" | "ready" | "rerequest" | "cancel" | "checkrun-start" | "checkrun-cancel";
  tenant: string;
  deploymentId: string;
  /** The configured check's name (`create`, `ready`). */
  name: string | null;
  /** Vercel's id of the check (`rerequest`), or of the project check a check run runs (`checkrun-*`). */
  checkId: string | null;
  /** Vercel's id of the check run (`checkrun-*`). */
  checkRunId: string | null;
  /** The id a new run gets (`act_…`). */
  runId: string;
  projectId: string | null;
}

/** What an event asks of deployment action and check runs. */
export type RunCommand = ActionCommand | CheckCommand;
