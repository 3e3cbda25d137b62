import type { RunSetting } from "../../core/run-settings.js";
import {
  grantColumns,
  type InstallationRow,
  SUMMARY_COLUMNS,
  sameBinding,
  toInstallation,
  toInstallationSummary,
} from "../installation-rows.js";
import {
  CONSOLE_SESSION_OWNER,
  type Installation,
  type InstallationChanges,
  type InstallationCounts,
  type InstallationGrant,
  type InstallationSummary,
  type TenantPurge,
} from "../port.js";
import { boundLimit, type Connection } from "./connection.js";

/** Reads of installations and sessions, on the read-only connection. */
export function installationReads(db: Connection) {
  const one = db.prepare("SELECT * FROM installations WHERE id = ?");
  const byTeam = db.prepare(
    "SELECT * FROM installations WHERE team_id = ? AND status = 'active' ORDER BY id",
  );
  const byUser = db.prepare(
    "SELECT * FROM installations WHERE user_id = ? AND team_id IS NULL AND status = 'active' ORDER BY id",
  );
  const first = db.prepare(
    `SELECT ${SUMMARY_COLUMNS} FROM installations ORDER BY created_at DESC, id DESC LIMIT ${boundLimit("?")}`,
  );
  // An unknown cursor finds no row to compare with, so its page is empty.
  const after = db.prepare(`
    SELECT ${SUMMARY_COLUMNS} FROM installations
    WHERE (created_at, id) < (SELECT created_at, id FROM installations WHERE id = ?)
    ORDER BY created_at DESC, id DESC LIMIT ${boundLimit("?")}
  `);
  const session = db.prepare("SELECT tenant FROM browser_sessions WHERE hash = ? AND expires_at > ?").pluck();
  return {
    get(id: string): Installation | null {
      const row = one.get(id) as InstallationRow | undefined;
      return row ? toInstallation(row) : null;
    },
    list(cursor: string | null, limit: number): { data: InstallationSummary[]; nextCursor: string | null } {
      // One more than asked tells whether a next page exists.
      const rows = (
        cursor === null ? first.all(limit + 1) : after.all(cursor, limit + 1)
      ) as InstallationRow[];
      const data = rows.slice(0, limit).map(toInstallationSummary);
      return { data, nextCursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
    },
    findByTeam: (teamId: string): Installation[] =>
      (byTeam.all(teamId) as InstallationRow[]).map(toInstallation),
    findByUser: (userId: string): Installation[] =>
      (byUser.all(userId) as InstallationRow[]).map(toInstallation),
    getSession: (hash: string, now: number): string | null =>
      (session.get(hash, now) as string | undefined) ?? null,
  };
}

/** Installation, state and session writes on the writer thread; a removal purges its tenant in the same transaction. */
export function installationOps(db: Connection, purgeTenant: (tenant: string) => TenantPurge) {
  const upsert = db.prepare(`
    INSERT INTO installations (id, team_id, user_id, access_token, scopes, projects, status, created_at, updated_at)
    VALUES (@id, @team_id, @user_id, @access_token, @scopes, @projects, 'active', @now, @now)
    ON CONFLICT (id) DO UPDATE SET
      team_id = excluded.team_id, user_id = excluded.user_id, access_token = excluded.access_token,
      scopes = excluded.scopes, projects = excluded.projects, status = 'active',
      updated_at = excluded.updated_at, removed_at = NULL, removed_counts = NULL
    RETURNING *
  `);
  const update = db.prepare(`
    UPDATE installations SET
      team_id = CASE WHEN @set_team THEN @team_id ELSE team_id END,
      scopes = coalesce(@scopes, scopes), projects = coalesce(@projects, projects), updated_at = @now
    WHERE id = @id AND status = 'active' RETURNING *
  `);
  const setRuns = db.prepare(`
    UPDATE installations SET run_settings = @settings, updated_at = @now
    WHERE id = @id AND status = 'active' RETURNING *
  `);
  const remove = db.transaction((id: string, now: number): InstallationCounts | null => {
    const active = db.prepare("SELECT 1 FROM installations WHERE id = ? AND status = 'active'").get(id);
    if (!active) return null;
    const purged = purgeTenant(id);
    const sessions = db.prepare("DELETE FROM browser_sessions WHERE tenant = ?").run(id).changes;
    const counts: InstallationCounts = { ...purged, sessions };
    db.prepare(`
      UPDATE installations SET status = 'removed', access_token = NULL, run_settings = '[]',
        removed_at = @now, updated_at = @now, removed_counts = @counts
      WHERE id = @id
    `).run({ id, now, counts: JSON.stringify(counts) });
    return counts;
  });
  const consume = db.prepare("DELETE FROM oauth_states WHERE hash = ? RETURNING binding, expires_at");
  return {
    upsertInstallation: (grant: InstallationGrant, now: number): Installation =>
      toInstallation(upsert.get(grantColumns(grant, now)) as InstallationRow),
    updateInstallation(id: string, changes: InstallationChanges, now: number): Installation | null {
      const row = update.get({
        id,
        now,
        set_team: changes.teamId === undefined ? 0 : 1,
        team_id: changes.teamId ?? null,
        scopes: changes.scopes === undefined ? null : JSON.stringify(changes.scopes),
        projects: changes.projects === undefined ? null : JSON.stringify(changes.projects),
      }) as InstallationRow | undefined;
      return row ? toInstallation(row) : null;
    },
    setRunSettings(id: string, settings: RunSetting[], now: number): Installation | null {
      const row = setRuns.get({ id, now, settings: JSON.stringify(settings) }) as InstallationRow | undefined;
      return row ? toInstallation(row) : null;
    },
    removeInstallation: (id: string, now: number) => remove.immediate(id, now),
    createState(hash: string, binding: string, expiresAt: number): void {
      db.prepare("INSERT INTO oauth_states (hash, binding, expires_at) VALUES (?, ?, ?)").run(
        hash,
        binding,
        expiresAt,
      );
    },
    consumeState(hash: string, binding: string, now: number): boolean {
      const row = consume.get(hash) as { binding: string; expires_at: number } | undefined;
      return row !== undefined && row.expires_at > now && sameBinding(row.binding, binding);
    },
    createSession(hash: string, tenant: string, expiresAt: number): boolean {
      const { changes } = db
        .prepare(`
          INSERT INTO browser_sessions (hash, tenant, expires_at)
          SELECT ?, id, ? FROM installations WHERE id = ? AND status = 'active'
          ON CONFLICT DO NOTHING
        `)
        .run(hash, expiresAt, tenant);
      return changes > 0;
    },
    createConsoleSession(hash: string, expiresAt: number): void {
      db.prepare("INSERT INTO browser_sessions (hash, tenant, expires_at) VALUES (?, ?, ?)").run(
        hash,
        CONSOLE_SESSION_OWNER,
        expiresAt,
      );
    },
    deleteSession: (hash: string): boolean =>
      db.prepare("DELETE FROM browser_sessions WHERE hash = ?").run(hash).changes > 0,
    purgeExpired: (now: number): { states: number; sessions: number } => ({
      states: db.prepare("DELETE FROM oauth_states WHERE expires_at <= ?").run(now).changes,
      sessions: db.prepare("DELETE FROM browser_sessions WHERE expires_at <= ?").run(now).changes,
    }),
  };
}
