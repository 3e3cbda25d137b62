/**
 * Deployment integration actions as the store keeps them (the storage port's part for them).
 *
 * Glossary:
 * - **run**: one action (by its slug) of one deployment for one installation and resource, keyed
 *   (tenant, deploymentId, resourceId, action): Vercel's repeats of a start find the same run. A
 *   deployment check's run (kind `check`) is keyed (tenant, deploymentId, "", check name) for a v1
 *   check, which Switchyard creates in Vercel, and (tenant, deploymentId, check run id, project
 *   check id) for a checks-v2 run, which Vercel creates and names.
 * - **phase**: what a run has to do next: `start` (make what the action makes and report it),
 *   `cancel` (stop, and undo what this deployment made), `cleanup` (drop what no other live
 *   deployment still uses). Set in the commit of the event that asks for it; cleared by the runner
 *   once the phase is done.
 * - **report**: one status update to Vercel (`PATCH …/actions/{action}`), queued in the same
 *   transaction as the run's change that makes it, sent in order per run, retried on the
 *   delivery schedule; each try is an attempt.
 */

import type { ActionCommand, ActionKey, ActionPhase, CheckPhase } from "../core/action-types.js";

export type { ActionCommand, ActionKey, ActionPhase, CheckPhase };

/**
 * A run of a deployment integration action, or of a deployment check: a v1 check (resource `""`,
 * action = the configured check's name) or a checks-v2 run (resource = Vercel's check run id,
 * action = its project check's id).
 */
export type RunKind = "action" | "check";

/** Which Vercel endpoint a report goes to: an action's PATCH, a v1 check's PATCH, a v2 check run's PATCH. */
export type ReportTarget = "action" | "check" | "check-run";

/** Where a run stands, as Vercel is told (`canceled` and `cleaned` are Switchyard's own ends). */
export type ActionStatus = "queued" | "running" | "succeeded" | "failed" | "canceled" | "cleaned";

/** One line of a run's story, shown on its page. */
export interface ActionStep {
  at: number;
  text: string;
}

/** A stored run. */
export interface ActionRun extends ActionKey {
  id: string;
  kind: RunKind;
  /** Vercel's id of what the run reports on (a check), once known. */
  externalId: string | null;
  projectId: string | null;
  /** The event that created the run. */
  eventId: string;
  status: ActionStatus;
  statusText: string | null;
  /** What is left to do; null when nothing. */
  phase: ActionPhase | CheckPhase | null;
  /**
   * What the action made for this deployment (e.g. a branch database), for cancel and cleanup; of a
   * checks-v2 run, what it learned of Vercel's run: `{name}`, the check's name (`checkNameOf`).
   */
  made: Record<string, unknown> | null;
  steps: ActionStep[];
  createdAt: number;
  updatedAt: number;
  /** Runs the phase no sooner than this (a retried phase waits). */
  nextRunAt: number | null;
}

/** Whether a check run is of a checks-v2 run (keyed by Vercel's ids) rather than a v1 check. */
export function isCheckRun(run: Pick<ActionRun, "kind" | "resourceId">): boolean {
  return run.kind === "check" && run.resourceId !== "";
}

/**
 * The name a check run goes by: a v1 check's is the configured check's (its key); a checks-v2
 * run's is the name of Vercel's check, null until the run has read it.
 */
export function checkNameOf(run: Pick<ActionRun, "kind" | "resourceId" | "action" | "made">): string | null {
  if (!isCheckRun(run)) return run.action;
  const name = run.made?.name;
  return typeof name === "string" ? name : null;
}

/** The body of one PATCH of an action to Vercel, as queued (a check's is a CheckUpdate). */
export interface ReportBody {
  status: "running" | "succeeded" | "failed";
  statusText?: string;
  statusUrl?: string;
  outcomes?: { kind: "resource-secrets"; secrets: { name: string; value: string }[] }[];
}

/** One try at sending a report. */
export interface ReportAttempt {
  at: number;
  /** Vercel's HTTP status; null when there was no answer. */
  status: number | null;
  durationMs: number;
  error: string | null;
}

/** A queued or finished report. `body` may carry secrets: the store keeps it sealed by the caller. */
export interface ActionReport {
  id: string;
  runId: string;
  tenant: string;
  target: ReportTarget;
  /** Sealed by the caller (core/secret-box.ts); opaque to the store. */
  body: string;
  /** `sent` on a 2xx, `gone` on a 410 (the action no longer exists), `failed` past its deadline or on a refusal. */
  state: "pending" | "sent" | "gone" | "failed";
  attempts: ReportAttempt[];
  nextAttemptAt: number | null;
  deadlineAt: number;
  createdAt: number;
}

/** A run with everything its page shows. */
export interface ActionRunDetail {
  run: ActionRun;
  reports: ActionReport[];
}

/** What a runner changes on a run it holds, in one transaction. */
export interface ActionRunChange {
  status?: ActionStatus;
  statusText?: string | null;
  made?: Record<string, unknown> | null;
  /** Vercel's id of what the run reports on. */
  externalId?: string;
  /** Appended to the run's steps. */
  step?: string;
  /** The phase now done: cleared unless an event asked for another meanwhile. */
  done?: ActionPhase | CheckPhase;
  /**
   * Runs the phase again no sooner than this (keeps the phase). Only the phase the run was claimed
   * for waits: one an event asked for meanwhile stays due at once.
   */
  retryAt?: number;
  /** Queues a report to Vercel behind the run's earlier ones. */
  report?: { id: string; body: string; deadlineAt: number; target?: ReportTarget };
}

/** How to list runs (newest first); `tenant` scopes the query to one installation. */
export interface ActionRunQuery {
  tenant?: string | undefined;
  kind?: RunKind | undefined;
  deploymentId?: string | undefined;
  status?: ActionStatus | undefined;
  /** The previous page's last run id. */
  before?: string | undefined;
  limit: number;
}

/** The runs of deployment integration actions and their reports to Vercel (engine-wide). */
export interface ActionStore {
  /**
   * Runs due with a phase to do, oldest first, leased to `owner` until `leaseUntil`. A lease is its
   * owner's until the owner releases it, or another owner claims the run once it has run out: a
   * change that comes late, with nobody having taken over, still counts.
   */
  claimRuns(owner: string, now: number, leaseUntil: number, limit: number): Promise<ActionRun[]>;
  /**
   * Changes a run `owner` holds, in one transaction with the report it queues, and releases it
   * unless `keepLease` (which renews the lease, from `now`, for as long as the claim gave); false
   * when the lease was lost.
   */
  changeRun(
    id: string,
    owner: string,
    change: ActionRunChange,
    now: number,
    keepLease?: boolean,
  ): Promise<boolean>;
  /** The oldest pending report of each run, due, leased to `owner`. */
  claimReports(owner: string, now: number, leaseUntil: number, limit: number): Promise<ActionReport[]>;
  /**
   * Records one attempt of a report `owner` holds and its new state (`pending` with the next
   * attempt's time, or an end); false when the lease was lost.
   */
  recordReport(
    id: string,
    owner: string,
    attempt: ReportAttempt,
    next: { state: "pending"; nextAttemptAt: number } | { state: "sent" | "gone" | "failed" },
  ): Promise<boolean>;
  /** One run with its reports; with `tenant`, only that installation's. */
  getRun(id: string, tenant?: string): Promise<ActionRunDetail | null>;
  /** Runs newest first. */
  listRuns(query: ActionRunQuery): Promise<ActionRun[]>;
  /**
   * The runs that still hold what a run made (by a string of `made`, e.g. the database), the asking
   * run among them if it is live (not `canceled` or `cleaned`): cleanup keeps it while another is.
   */
  runsSharing(tenant: string, action: string, madeKey: string, madeValue: string): Promise<ActionRun[]>;
  /**
   * The earliest time a run's phase or a run's next pending report is due, or null; a leased one is
   * due when its lease runs out.
   */
  nextDueAt(): Promise<number | null>;
  /**
   * Releases every lease on runs and reports, so what a killed process held is due at once. Only
   * for a store that one process serves (`capabilities.releaseAllLeasesAtStart`), before its first
   * claim: with several nodes a lease may be another's, and is left to run out.
   */
  releaseLeases(): Promise<void>;
}
