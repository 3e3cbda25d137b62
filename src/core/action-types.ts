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
  phase: ActionPhase;
  /** The id a new run gets (`act_…`). */
  runId: string;
  projectId: string | null;
}
