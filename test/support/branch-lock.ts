import type postgres from "postgres";

/**
 * Resolves once a branch operation's admin session (application `switchyard-branch`) is waiting
 * for an advisory lock it has not got: the lock a test holds to stop an action mid-way. Asked of
 * the server, which has no event to wait on, every 50 ms.
 */
export async function untilBranchWaits(admin: postgres.Sql): Promise<void> {
  for (;;) {
    const [waiting] = await admin<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND NOT l.granted AND a.application_name = 'switchyard-branch'`;
    if ((waiting?.n ?? 0) > 0) return;
    await admin`SELECT pg_sleep(0.05)`;
  }
}
