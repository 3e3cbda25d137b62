import type {
  AttemptRecord,
  ClaimedDelivery,
  DeliveryRecord,
  DestinationState,
} from "../core/delivery-types.js";
import type { EventSummary } from "../core/types.js";
import type { RecentAttempt, TopologyRecord } from "./port.js";

// Row shapes and their mappings, shared by the SQLite and PostgreSQL stores: both name their
// columns alike, so a row means the same thing whichever database it came from.

export interface EventRow {
  id: string;
  tenant: string;
  source: string;
  external_id: string | null;
  type: string;
  original_type: string;
  received_at: number;
  /** 0/1 on SQLite, a boolean on PostgreSQL. */
  unknown_type: boolean | number;
  schema_issues: string | null;
  body?: Buffer;
}

export interface DeliveryRow {
  id: string;
  tenant: string;
  event_id: string;
  type: string;
  destination: string;
  routes: string;
  route: string | null;
  transform: DeliveryRecord["transform"];
  status: DeliveryRecord["status"];
  attempts: number;
  next_attempt_at: number | null;
  deadline_at: number;
  next_trigger: DeliveryRecord["nextTrigger"];
  created_at: number;
  updated_at: number;
  last_status: number | null;
  last_error: string | null;
}

export interface AttemptRow {
  number: number;
  trigger: AttemptRecord["trigger"];
  started_at: number;
  duration_ms: number;
  status: number | null;
  error: string | null;
  error_message: string | null;
  response_headers: string | null;
  response_body: string | null;
  /** Null on rows stored before the column, whose bodies are text. */
  response_body_encoding: AttemptRecord["responseBodyEncoding"];
}

/** An attempt with its delivery's destination (`recentAttempts`). */
export interface RecentAttemptRow {
  destination: string;
  started_at: number;
  duration_ms: number;
  status: number | null;
  error: string | null;
  error_message: string | null;
}

export interface StateRow {
  tenant: string;
  destination: string;
  state: DestinationState["state"];
  disabled_reason: string | null;
  consecutive_failures: number;
  circuit_open_until: number | null;
  circuit_cooldown_ms: number;
  last_success_at: number | null;
  last_failure_at: number | null;
}

/** A destination state row (either dialect) as the domain sees it. */
export function toState(r: StateRow): DestinationState {
  return {
    tenant: r.tenant,
    destination: r.destination,
    state: r.state,
    disabledReason: r.disabled_reason,
    consecutiveFailures: r.consecutive_failures,
    circuitOpenUntil: r.circuit_open_until,
    circuitCooldownMs: r.circuit_cooldown_ms,
    lastSuccessAt: r.last_success_at,
    lastFailureAt: r.last_failure_at,
  };
}

/** An event row (either dialect) as the domain sees it. */
export function toSummary(row: EventRow): EventSummary {
  return {
    id: row.id,
    tenant: row.tenant,
    source: row.source,
    externalId: row.external_id,
    type: row.type,
    originalType: row.original_type,
    receivedAt: row.received_at,
    unknownType: Boolean(row.unknown_type),
    schemaIssues: row.schema_issues ? (JSON.parse(row.schema_issues) as string[]) : [],
  };
}

/** An attempt row (either dialect) as the domain sees it. */
export function toRecentAttempt(a: RecentAttemptRow): RecentAttempt {
  return {
    destination: a.destination,
    startedAt: a.started_at,
    durationMs: a.duration_ms,
    status: a.status,
    error: a.error,
    errorMessage: a.error_message,
  };
}

export function toAttempt(a: AttemptRow): AttemptRecord {
  return {
    number: a.number,
    trigger: a.trigger,
    startedAt: a.started_at,
    durationMs: a.duration_ms,
    status: a.status,
    error: a.error,
    errorMessage: a.error_message,
    responseHeaders: a.response_headers ? (JSON.parse(a.response_headers) as Record<string, string>) : null,
    responseBody: a.response_body,
    responseBodyEncoding: a.response_body === null ? null : (a.response_body_encoding ?? "utf8"),
  };
}

/** A delivery row joined with its event's type, as the domain sees it. */
export function toDelivery(r: DeliveryRow): DeliveryRecord {
  return {
    id: r.id,
    tenant: r.tenant,
    eventId: r.event_id,
    eventType: r.type,
    destination: r.destination,
    routes: JSON.parse(r.routes) as string[],
    route: r.route,
    transform: r.transform,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === "pending" ? r.next_attempt_at : null,
    deadlineAt: r.deadline_at,
    nextTrigger: r.next_trigger,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastStatus: r.last_status,
    lastError: r.last_error,
  };
}

/** A claimed delivery row joined with its event's type, source and body. */
export interface ClaimRow {
  id: string;
  tenant: string;
  event_id: string;
  destination: string;
  route: string | null;
  attempts: number;
  schedule_base: number;
  deadline_at: number;
  next_trigger: ClaimedDelivery["trigger"];
  type: string;
  source: string;
  body: Buffer;
}

/** A claimed row as the worker sees it, with the lease it was claimed under. */
export function toClaimed(row: ClaimRow, leaseUntil: number): ClaimedDelivery {
  return {
    id: row.id,
    tenant: row.tenant,
    eventId: row.event_id,
    eventType: row.type,
    source: row.source,
    destination: row.destination,
    route: row.route ?? null,
    attempts: row.attempts,
    scheduleBase: row.schedule_base,
    deadlineAt: row.deadline_at,
    trigger: row.next_trigger,
    body: row.body,
    leaseUntil,
  };
}

/** The row of a topology table as either dialect returns it. */
export interface TopologyRow {
  tenant: string;
  slug: string;
  definition: string;
  secrets: string | null;
  created_at: number;
  updated_at: number;
}

/** A topology row as the domain sees it. */
export function toTopology(r: TopologyRow): TopologyRecord {
  return {
    tenant: r.tenant,
    slug: r.slug,
    definition: JSON.parse(r.definition) as unknown,
    secrets: r.secrets === null ? null : (JSON.parse(r.secrets) as string[]),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}
