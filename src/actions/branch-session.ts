/**
 * One branch operation's admin session: a connection of its own that holds the session advisory
 * lock of the branch's name while the operation runs, so two operations on one name (two
 * deployments of a git ref at once) take turns. Ending the session releases the lock; no
 * connection goes back to a pool still holding it. Should the connection be lost, so is the lock:
 * the operation learns of it at its next checkpoint and stops.
 */
import type postgres from "postgres";
import { BranchError } from "./branch-error.js";

/** An admin session holding a name's lock. */
export interface BranchSession {
  sql: postgres.Sql;
  /** Throws the abort once the signal has aborted, and `unreachable` once the session is lost. */
  checkpoint(): void;
  /** Whether the session, and with it the lock, is lost. */
  lost(): boolean;
}

export interface LockedSessionOptions {
  /** Opens the session's connection (`max: 1`) with `onclose` as its close handler. */
  open: (onclose: () => void) => postgres.Sql;
  /** Ends the connection `open` gave. */
  end: (sql: postgres.Sql) => Promise<void>;
  name: string;
  /** `host:port`, for the message when the session is lost. */
  server: string;
  signal: AbortSignal | undefined;
  /** Told, and awaited, when another operation holds the name and this one waits for it. */
  onWaiting: () => Promise<void>;
}

/** Runs `fn` in a new admin session once it holds the lock of `options.name`; ends the session after. */
export async function withLockedSession<T>(
  options: LockedSessionOptions,
  fn: (session: BranchSession) => Promise<T>,
): Promise<T> {
  const { signal } = options;
  signal?.throwIfAborted();
  let locked = false;
  let lost = false;
  const sql = options.open(() => {
    lost = locked;
  });
  const session: BranchSession = {
    sql,
    lost: () => lost,
    checkpoint: () => {
      signal?.throwIfAborted();
      if (lost) {
        throw new BranchError(
          "unreachable",
          `The connection to PostgreSQL at ${options.server} was lost; retry.`,
        );
      }
    },
  };
  try {
    const key = `switchyard branch ${options.name}`;
    const [first] = await sql<{ locked: boolean }[]>`
      SELECT pg_try_advisory_lock(hashtextextended(${key}, 0)) AS locked`;
    if (!first?.locked) {
      await options.onWaiting();
      signal?.throwIfAborted();
      await untilDone(sql`SELECT pg_advisory_lock(hashtextextended(${key}, 0))`, signal);
    }
    locked = true;
    return await fn(session);
  } finally {
    await options.end(sql);
  }
}

/** `query`, canceled on the server should `signal` abort while it runs. */
export async function untilDone<T extends postgres.PendingQuery<postgres.Row[]>>(
  query: T,
  signal?: AbortSignal,
): Promise<Awaited<T>> {
  const cancel = () => void query.cancel();
  if (signal?.aborted) cancel();
  else signal?.addEventListener("abort", cancel, { once: true });
  try {
    return await query;
  } finally {
    signal?.removeEventListener("abort", cancel);
  }
}

/** `fn` again should it fail once: for the clean-up after a failure, which a late cancel may have hit. */
export async function twice<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch {
    return await fn();
  }
}
