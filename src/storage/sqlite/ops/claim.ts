import type { ClaimRequest, HeldDestination } from "../../port.js";
import { type ClaimRow, toClaimed } from "../../rows.js";
import { boundLimit, type Connection } from "../connection.js";
import { encodeClaim } from "../wire.js";

/** The columns a claimed delivery is built from (`toClaimed`), and its seq to lease it by. */
const CLAIM_COLUMNS =
  "d.seq, d.id, d.tenant, d.event_id, d.destination, d.route, d.attempts, d.schedule_base, d.deadline_at, d.next_trigger, e.type, e.source, e.body";

type SeqClaimRow = ClaimRow & { seq: number };

/** Claims and leases, each one synchronous `BEGIN IMMEDIATE` unit on the writer thread. */
export function claimOps(db: Connection) {
  // A SELECT, then an UPDATE per row. (One UPDATE … WHERE id IN (SELECT … LIMIT ?) RETURNING was
  // seen compiled again on every run, which cost more than the claim itself: that was its bare
  // bound LIMIT, see `boundLimit`.)
  const due = db.prepare(`
    SELECT ${CLAIM_COLUMNS}
    FROM deliveries d JOIN events e ON e.id = d.event_id
    WHERE d.status = 'pending' AND d.tenant = @tenant AND d.destination = @destination AND d.next_attempt_at <= @now
      AND (d.lease_until IS NULL OR d.lease_until < @now)
    ORDER BY d.next_attempt_at LIMIT ${boundLimit("@limit")}
  `);
  const fifoHead = db.prepare(`
    SELECT seq, next_attempt_at, lease_until FROM deliveries
    WHERE status = 'pending' AND tenant = ? AND destination = ? ORDER BY seq LIMIT 1
  `);
  // By seq, the table's own key: no lookup in the index of ids first.
  const lease = db.prepare("UPDATE deliveries SET lease_until = ?, lease_owner = ? WHERE seq = ?");
  const claimed = db.prepare(
    `SELECT ${CLAIM_COLUMNS} FROM deliveries d JOIN events e ON e.id = d.event_id WHERE d.seq = ?`,
  );

  // One node: the worker enforces the limits itself; the claim only keeps fifo order.
  const claim = db.transaction((requests: ClaimRequest[], now: number, leaseUntil: number, owner: string) => {
    const rows: SeqClaimRow[] = [];
    const held: HeldDestination[] = [];
    for (const r of requests) {
      if (r.limit <= 0) continue;
      if (r.fifo) {
        const head = fifoHead.get(r.tenant, r.destination) as
          | { seq: number; next_attempt_at: number; lease_until: number | null }
          | undefined;
        if (!head) continue;
        if (head.next_attempt_at > now)
          held.push({ tenant: r.tenant, destination: r.destination, until: head.next_attempt_at });
        else if (head.lease_until !== null && head.lease_until >= now) {
          held.push({ tenant: r.tenant, destination: r.destination, until: null }); // in flight
        } else {
          lease.run(leaseUntil, owner, head.seq);
          rows.push(claimed.get(head.seq) as SeqClaimRow);
        }
        continue;
      }
      for (const row of due.all({
        tenant: r.tenant,
        destination: r.destination,
        now,
        limit: r.limit,
      }) as SeqClaimRow[]) {
        lease.run(leaseUntil, owner, row.seq);
        rows.push(row);
      }
    }
    return { deliveries: rows.map((row) => toClaimed(row, leaseUntil)), held, states: [] };
  });

  return {
    /** Claims, in the flat form the main thread decodes (`wire.ts`). */
    claimDeliveries: (requests: ClaimRequest[], now: number, leaseUntil: number, owner: string) =>
      encodeClaim(claim.immediate(requests, now, leaseUntil, owner)),
    releaseLeases: (owner: string | null) =>
      owner === null
        ? db
            .prepare(
              "UPDATE deliveries SET lease_until = NULL, lease_owner = NULL WHERE lease_until IS NOT NULL",
            )
            .run().changes
        : db
            .prepare("UPDATE deliveries SET lease_until = NULL, lease_owner = NULL WHERE lease_owner = ?")
            .run(owner).changes,
  };
}
