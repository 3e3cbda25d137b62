import { actionOps } from "./actions.js";
import type { Connection } from "./connection.js";
import { installationOps } from "./installations.js";
import { claimOps } from "./ops/claim.js";
import { eventOps } from "./ops/events.js";
import { outcomeOps } from "./ops/outcomes.js";
import { requeueOps } from "./ops/requeue.js";
import { retentionOps } from "./ops/retention.js";
import { topologyOps } from "./topology.js";

/**
 * Writes whose commit is acknowledged to someone (a 200 to a sender, a 202 to an API caller) must
 * reach the disk before they return: `synchronous=FULL`. The worker's own bookkeeping (leases,
 * attempt outcomes) may use `NORMAL`: WAL keeps it across a process crash, and should a power cut
 * lose the tail, the worst case is a delivery sent again, which at-least-once allows. A later FULL
 * commit syncs the earlier frames too, since the WAL is appended in order.
 */
const DURABLE = new Set([
  "insertEvents",
  "addDeliveries",
  "retryDelivery",
  "requeueDeliveries",
  "saveDestinationState",
  "purgeTenant",
  "topologyWrite",
  "topologyDelete",
  "upsertInstallation",
  "updateInstallation",
  "setRunSettings",
  "removeInstallation",
  "createState",
  "consumeState",
  "createSession",
  "createConsoleSession",
  "deleteSession",
  "purgeExpired",
  // What a runner made (a database, say) is told to no one else: lost, it would be made again.
  "changeRun",
  "probe",
]);

/**
 * Ops that are each one transaction of their own (a better-sqlite3 transaction function): alone in
 * a group, one runs as that transaction rather than as a savepoint inside the group's. A savepoint
 * copies every page it changes to a statement journal first, so that it can be undone alone; an
 * op alone has nothing to be undone apart from. (Ingest sends one `insertEvents` per group.)
 */
const SELF_CONTAINED = new Set(["insertEvents", "addDeliveries", "claimDeliveries"]);

/** The writes the writer thread performs; each is atomic (a transaction, or a savepoint in a group). */
function writeOps(db: Connection) {
  const events = eventOps(db);
  const topology = topologyOps(db);
  const retention = retentionOps(db, topology.purgeTenant);
  const { insertOne: _insertOne, ...eventWrites } = events;
  const probe = db.prepare(
    "INSERT INTO readiness_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
  );
  return {
    ...eventWrites,
    ...claimOps(db),
    ...outcomeOps(db, events),
    ...requeueOps(db),
    ...retention,
    ...topology.ops,
    ...installationOps(db, retention.purgeTenant),
    ...actionOps(db),
    /** A small durable write, to learn whether the store can commit again after it could not. */
    probe: (at: number) => probe.run(at).changes,
  };
}

export type WriteOps = ReturnType<typeof writeOps>;
export type WriteOp = keyof WriteOps;

/** One write op to run, as the main thread sends it. */
export interface WriteRequest {
  op: WriteOp;
  args: unknown[];
}

/** What the writer thread answers for one op of a group (an error as its message and code). */
export type WriteReply = { ok: true; value: unknown } | { ok: false; message: string; code?: string };

/** What became of one write op, once the group holding it has committed (or failed). */
export type WriteResult = { ok: true; value: unknown } | { ok: false; error: Error };

/** What the writer thread answers for one group: each op's reply, and whether the group committed a change. */
export interface GroupReply {
  replies: WriteReply[];
  wrote: boolean;
}

/**
 * Runs write ops in groups: every op waiting when the writer gets to them shares one transaction,
 * each op in a savepoint of its own, so one op's error undoes only that op. A group commits once,
 * with `FULL` if any op in it must be durable, and no op's result counts before that commit: the
 * commit failing fails every op of the group. Fewer commits write the same hot pages (the ends of
 * the deliveries indexes, the newest events) once per group rather than once per op.
 */
export function createWriteGroups(db: Connection) {
  const ops = writeOps(db) as unknown as Record<string, (...args: unknown[]) => unknown>;
  const totalChanges = db.prepare("SELECT total_changes()").pluck();
  let level: "FULL" | "NORMAL" = "FULL";
  const group = db.transaction((requests: readonly WriteRequest[], results: WriteResult[]) => {
    for (const [i, r] of requests.entries()) {
      const fn = ops[r.op];
      try {
        if (!fn) throw new Error(`unknown write op ${String(r.op)}`);
        results[i] = { ok: true, value: fn(...r.args) };
      } catch (error) {
        // Some errors (a full disk, I/O) end the whole transaction: nothing of the group stands.
        if (!db.inTransaction) throw error;
        results[i] = { ok: false, error: error as Error };
      }
    }
  });
  return {
    /**
     * Runs `requests` as one group: the result of each, in order, and whether the group committed
     * a change (a commit that wrote nothing says nothing of whether the disk takes writes).
     */
    run(requests: readonly WriteRequest[]): { results: WriteResult[]; wrote: boolean } {
      const wanted = requests.some((r) => DURABLE.has(r.op)) ? "FULL" : "NORMAL";
      const results: WriteResult[] = [];
      try {
        if (level !== wanted) {
          db.pragma(`synchronous = ${wanted}`);
          level = wanted;
        }
        const before = totalChanges.get() as number;
        const [only] = requests;
        if (requests.length === 1 && only !== undefined && SELF_CONTAINED.has(only.op)) {
          // Its error (a full disk too) has undone its transaction: it is this op's result.
          try {
            results[0] = { ok: true, value: (ops[only.op] as (...args: unknown[]) => unknown)(...only.args) };
          } catch (error) {
            results[0] = { ok: false, error: error as Error };
          }
        } else {
          group.immediate(requests, results);
        }
        // total_changes() counts rows an op changed before its error undid them: an op that
        // failed committed nothing.
        return { results, wrote: results.some((r) => r.ok) && (totalChanges.get() as number) > before };
      } catch (error) {
        return { results: requests.map(() => ({ ok: false, error: error as Error })), wrote: false };
      }
    },
  };
}
