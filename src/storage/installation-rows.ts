import { timingSafeEqual } from "node:crypto";
import type { RunSetting } from "../core/run-settings.js";
import type {
  Installation,
  InstallationCounts,
  InstallationGrant,
  InstallationProjects,
  InstallationSummary,
} from "./port.js";

// The installations table's row shape and mappings, shared by the SQLite and PostgreSQL stores.

export interface InstallationRow {
  id: string;
  team_id: string | null;
  user_id: string;
  /** Absent where a query does not read it (a list). */
  access_token?: string | null;
  /** JSON: an array of strings. */
  scopes: string;
  /** JSON: "all" or an array of project ids. */
  projects: string;
  /** JSON: an array of RunSetting. */
  run_settings: string;
  status: Installation["status"];
  created_at: number;
  updated_at: number;
  removed_at: number | null;
  /** JSON: InstallationCounts. */
  removed_counts: string | null;
}

/** Every column but the token, for lists. */
export const SUMMARY_COLUMNS =
  "id, team_id, user_id, scopes, projects, run_settings, status, created_at, updated_at, removed_at, removed_counts";

/** A listed installation. */
export function toInstallationSummary(row: InstallationRow): InstallationSummary {
  return {
    id: row.id,
    teamId: row.team_id,
    userId: row.user_id,
    scopes: JSON.parse(row.scopes) as string[],
    projects: JSON.parse(row.projects) as InstallationProjects,
    runSettings: JSON.parse(row.run_settings) as RunSetting[],
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    removedAt: row.removed_at,
    removedCounts: row.removed_counts === null ? null : removedCounts(row.removed_counts),
  };
}

/**
 * A removal's counts as stored. One recorded before action runs were kept has no count of them,
 * and there were none to delete.
 */
function removedCounts(json: string): InstallationCounts {
  return {
    actionRuns: 0,
    actionReports: 0,
    ...(JSON.parse(json) as Partial<InstallationCounts>),
  } as InstallationCounts;
}

/** An installation with its (sealed) token. */
export function toInstallation(row: InstallationRow): Installation {
  return { ...toInstallationSummary(row), accessToken: row.access_token ?? null };
}

/** A grant's columns as the upsert binds them. */
export function grantColumns(grant: InstallationGrant, now: number) {
  return {
    id: grant.id,
    team_id: grant.teamId,
    user_id: grant.userId,
    access_token: grant.accessToken,
    scopes: JSON.stringify(grant.scopes),
    projects: JSON.stringify(grant.projects),
    now,
  };
}

/** Whether a stored state's binding is the one presented, compared in constant time. */
export function sameBinding(stored: string, presented: string): boolean {
  const a = Buffer.from(stored, "utf8");
  const b = Buffer.from(presented, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}
