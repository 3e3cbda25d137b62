import {
  grantColumns,
  type InstallationRow,
  SUMMARY_COLUMNS,
  sameBinding,
  toInstallation,
  toInstallationSummary,
} from "../installation-rows.js";
import { CONSOLE_SESSION_OWNER, type InstallationCounts, type InstallationStore } from "../port.js";
import { guard, type Sql } from "./connection.js";
import { purgeTenantIn } from "./ops/retention.js";

/** Runs a write under the store's guard, remembering whether it could commit. */
type Write = <T>(what: string, fn: () => Promise<T>) => Promise<T>;

/** Installations, states and sessions: each read one statement, a removal one transaction with its tenant's purge. */
export function installationStore(sql: Sql, write: Write): InstallationStore {
  const read = <T>(fn: () => Promise<T>) => guard("read", fn);
  const summary = sql.unsafe(SUMMARY_COLUMNS);
  return {
    upsert: (grant, now) =>
      write("installation", async () => {
        const g = grantColumns(grant, now);
        const [row] = await sql<InstallationRow[]>`
          INSERT INTO installations (id, team_id, user_id, access_token, scopes, projects, status, created_at, updated_at)
          VALUES (${g.id}, ${g.team_id}, ${g.user_id}, ${g.access_token}, ${g.scopes}, ${g.projects}, 'active', ${now}, ${now})
          ON CONFLICT (id) DO UPDATE SET
            team_id = excluded.team_id, user_id = excluded.user_id, access_token = excluded.access_token,
            scopes = excluded.scopes, projects = excluded.projects, status = 'active',
            updated_at = excluded.updated_at, removed_at = NULL, removed_counts = NULL
          RETURNING *
        `;
        return toInstallation(row as InstallationRow);
      }),
    get: (id) =>
      read(async () => {
        const [row] = await sql<InstallationRow[]>`SELECT * FROM installations WHERE id = ${id}`;
        return row ? toInstallation(row) : null;
      }),
    list: (cursor, limit) =>
      read(async () => {
        // One more than asked tells whether a next page exists; an unknown cursor gives an empty page.
        const rows =
          cursor === null
            ? await sql<InstallationRow[]>`
                SELECT ${summary} FROM installations ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}
              `
            : await sql<InstallationRow[]>`
                SELECT ${summary} FROM installations
                WHERE (created_at, id) < (SELECT created_at, id FROM installations WHERE id = ${cursor})
                ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}
              `;
        const data = rows.slice(0, limit).map(toInstallationSummary);
        return { data, nextCursor: rows.length > limit ? (data.at(-1)?.id ?? null) : null };
      }),
    findByTeam: (teamId) =>
      read(async () =>
        (
          await sql<InstallationRow[]>`
            SELECT * FROM installations WHERE team_id = ${teamId} AND status = 'active' ORDER BY id
          `
        ).map(toInstallation),
      ),
    findByUser: (userId) =>
      read(async () =>
        (
          await sql<InstallationRow[]>`
            SELECT * FROM installations
            WHERE user_id = ${userId} AND team_id IS NULL AND status = 'active' ORDER BY id
          `
        ).map(toInstallation),
      ),
    update: (id, changes, now) =>
      write("installation", async () => {
        const scopes = changes.scopes === undefined ? null : JSON.stringify(changes.scopes);
        const projects = changes.projects === undefined ? null : JSON.stringify(changes.projects);
        const [row] = await sql<InstallationRow[]>`
          UPDATE installations SET
            team_id = CASE WHEN ${changes.teamId !== undefined}::boolean THEN ${changes.teamId ?? null}::text ELSE team_id END,
            scopes = coalesce(${scopes}::text, scopes), projects = coalesce(${projects}::text, projects),
            updated_at = ${now}
          WHERE id = ${id} AND status = 'active' RETURNING *
        `;
        return row ? toInstallation(row) : null;
      }),
    setRunSettings: (id, settings, now) =>
      write("installation", async () => {
        const [row] = await sql<InstallationRow[]>`
          UPDATE installations SET run_settings = ${JSON.stringify(settings)}, updated_at = ${now}
          WHERE id = ${id} AND status = 'active' RETURNING *
        `;
        return row ? toInstallation(row) : null;
      }),
    remove: (id, now) =>
      write("installation", () =>
        sql.begin(async (tx): Promise<InstallationCounts | null> => {
          // The row lock orders this removal with a session being started for it.
          const [active] = await tx`
            SELECT 1 FROM installations WHERE id = ${id} AND status = 'active' FOR UPDATE
          `;
          if (!active) return null;
          const purged = await purgeTenantIn(tx, id);
          const sessions = await tx`DELETE FROM browser_sessions WHERE tenant = ${id}`;
          const counts: InstallationCounts = { ...purged, sessions: sessions.count };
          await tx`
            UPDATE installations SET status = 'removed', access_token = NULL, run_settings = '[]',
              removed_at = ${now}, updated_at = ${now}, removed_counts = ${JSON.stringify(counts)}
            WHERE id = ${id}
          `;
          return counts;
        }),
      ),
    createState: (hash, binding, expiresAt) =>
      write("state", async () => {
        await sql`INSERT INTO oauth_states (hash, binding, expires_at) VALUES (${hash}, ${binding}, ${expiresAt})`;
      }),
    consumeState: (hash, binding, now) =>
      write("state", async () => {
        const [row] = await sql<{ binding: string; expires_at: number }[]>`
          DELETE FROM oauth_states WHERE hash = ${hash} RETURNING binding, expires_at
        `;
        return row !== undefined && row.expires_at > now && sameBinding(row.binding, binding);
      }),
    createSession: (hash, tenant, expiresAt) =>
      write("session", async () => {
        // FOR SHARE waits for a removal in progress, then sees the installation removed.
        const inserted = await sql`
          INSERT INTO browser_sessions (hash, tenant, expires_at)
          SELECT ${hash}::text, id, ${expiresAt}::bigint FROM installations
          WHERE id = ${tenant} AND status = 'active' FOR SHARE
          ON CONFLICT DO NOTHING
        `;
        return inserted.count > 0;
      }),
    createConsoleSession: (hash, expiresAt) =>
      write("session", async () => {
        await sql`
          INSERT INTO browser_sessions (hash, tenant, expires_at)
          VALUES (${hash}, ${CONSOLE_SESSION_OWNER}, ${expiresAt})
        `;
      }),
    getSession: (hash, now) =>
      read(async () => {
        const [row] = await sql<{ tenant: string }[]>`
          SELECT tenant FROM browser_sessions WHERE hash = ${hash} AND expires_at > ${now}
        `;
        return row?.tenant ?? null;
      }),
    deleteSession: (hash) =>
      write("session", async () => (await sql`DELETE FROM browser_sessions WHERE hash = ${hash}`).count > 0),
    purgeExpired: (now) =>
      write("purge", () =>
        sql.begin(async (tx) => {
          const states = await tx`DELETE FROM oauth_states WHERE expires_at <= ${now}`;
          const sessions = await tx`DELETE FROM browser_sessions WHERE expires_at <= ${now}`;
          return { states: states.count, sessions: sessions.count };
        }),
      ),
  };
}
