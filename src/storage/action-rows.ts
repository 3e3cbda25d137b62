import type { ActionCommand, CheckCommand } from "../core/action-types.js";
import { wellFormed } from "../core/text.js";
import type {
  ActionReport,
  ActionRun,
  ActionRunChange,
  ActionStatus,
  ActionStep,
  ReportAttempt,
  ReportTarget,
  RunKind,
} from "./actions-port.js";

// The action tables' row shapes and mappings, shared by the SQLite and PostgreSQL stores. JSON
// columns are text on SQLite and jsonb on PostgreSQL, whose driver hands them over parsed.

export interface ActionRunRow {
  id: string;
  kind: RunKind;
  external_id: string | null;
  tenant: string;
  deployment_id: string;
  resource_id: string;
  action: string;
  project_id: string | null;
  event_id: string;
  status: ActionStatus;
  status_text: string | null;
  phase: ActionRun["phase"];
  made: string | Record<string, unknown> | null;
  steps: string | ActionStep[];
  created_at: number;
  updated_at: number;
  next_run_at: number | null;
}

export interface ActionReportRow {
  /** The order of a run's reports; absent where a query does not read it. */
  seq?: number;
  id: string;
  run_id: string;
  tenant: string;
  target: ReportTarget;
  body: string;
  state: ActionReport["state"];
  attempts: string | ReportAttempt[];
  next_attempt_at: number | null;
  deadline_at: number;
  created_at: number;
}

/** Statuses that end a run for good: a later cancel changes nothing, cleanup shares nothing. */
export const GONE_STATUSES: readonly ActionStatus[] = ["canceled", "cleaned"];

/** Statuses of a run with nothing more to report: with no phase left, retention may delete it. */
export const ENDED_STATUSES: readonly ActionStatus[] = ["succeeded", "failed", "canceled", "cleaned"];

const parsed = <T>(value: string | T): T => (typeof value === "string" ? (JSON.parse(value) as T) : value);

/** A run row (either dialect) as the domain sees it. */
export function toActionRun(r: ActionRunRow): ActionRun {
  return {
    id: r.id,
    kind: r.kind,
    externalId: r.external_id,
    tenant: r.tenant,
    deploymentId: r.deployment_id,
    resourceId: r.resource_id,
    action: r.action,
    projectId: r.project_id,
    eventId: r.event_id,
    status: r.status,
    statusText: r.status_text,
    phase: r.phase,
    made: r.made === null ? null : parsed(r.made),
    steps: parsed(r.steps),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    nextRunAt: r.next_run_at === null ? null : Number(r.next_run_at),
  };
}

/** A report row (either dialect) as the domain sees it. */
export function toActionReport(r: ActionReportRow): ActionReport {
  return {
    id: r.id,
    runId: r.run_id,
    tenant: r.tenant,
    target: r.target,
    body: r.body,
    state: r.state,
    attempts: parsed(r.attempts),
    nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
    deadlineAt: Number(r.deadline_at),
    createdAt: Number(r.created_at),
  };
}

/**
 * JSON of a value with every string (keys too) under the storable-text rule (core/text.ts):
 * PostgreSQL's jsonb refuses NUL, and both stores must keep the same thing.
 */
export function storableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "string") return wellFormed(v);
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [wellFormed(k), x]));
    }
    return v;
  });
}

const storable = (text: string | null | undefined) =>
  text === null || text === undefined ? null : wellFormed(text);

/** A command's columns: its key under the storable-text rule, as the event's own text is. */
export function commandColumns(c: ActionCommand, eventId: string, now: number) {
  return {
    id: c.runId,
    tenant: c.tenant,
    deployment_id: wellFormed(c.deploymentId),
    resource_id: wellFormed(c.resourceId),
    action: wellFormed(c.action),
    project_id: storable(c.projectId),
    event_id: eventId,
    now,
  };
}

/** Whether a check command is about a checks-v2 run (keyed by Vercel's ids) rather than a v1 check. */
export const isCheckRunCommand = (c: CheckCommand): boolean =>
  c.op === "checkrun-start" || c.op === "checkrun-cancel";

/**
 * A check command's columns: its run key is (tenant, deployment, "", name) for a v1 check, and
 * (tenant, deployment, check run id, check id) for a checks-v2 run, of kind `check`.
 */
export function checkCommandColumns(c: CheckCommand, eventId: string, now: number) {
  const v2 = isCheckRunCommand(c);
  return {
    id: c.runId,
    tenant: c.tenant,
    deployment_id: wellFormed(c.deploymentId),
    resource_id: wellFormed(v2 ? (c.checkRunId ?? "") : ""),
    action: wellFormed((v2 ? c.checkId : c.name) ?? ""),
    check_id: storable(c.checkId),
    project_id: storable(c.projectId),
    event_id: eventId,
    now,
  };
}

/**
 * A runner's change as the one UPDATE of both stores binds it: a `set_*` flag per optional
 * field (an absent field stays, a null one clears), so the statement's text never varies.
 */
export function changeColumns(
  id: string,
  owner: string,
  change: ActionRunChange,
  now: number,
  keep: boolean,
) {
  return {
    id,
    owner,
    now,
    set_status: change.status !== undefined,
    status: change.status ?? null,
    set_status_text: change.statusText !== undefined,
    status_text: storable(change.statusText),
    set_made: change.made !== undefined,
    made: change.made === undefined || change.made === null ? null : storableJson(change.made),
    external_id: change.externalId ?? null,
    step: storable(change.step),
    done: change.done ?? null,
    retry_at: change.retryAt ?? null,
    keep,
  };
}

/** An attempt as its report's JSON list keeps it, its error text storable. */
export function attemptJson(a: ReportAttempt): string {
  return storableJson({ at: a.at, status: a.status, durationMs: a.durationMs, error: a.error });
}
