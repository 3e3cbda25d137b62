import { claimBudget, heldUntil } from "../../../core/claim-budget.js";
import { fullBucket, msUntilToken, refillBucket, takeTokens, tokensIn } from "../../../core/rate-limit.js";
import type { ClaimRequest, ClaimResult, DestinationKey, HeldDestination } from "../../port.js";
import { type ClaimRow, type StateRow, toClaimed, toState } from "../../rows.js";
import { bodyBytes } from "../body.js";
import { pipelinedTransaction, type Queryable, type Sql } from "../connection.js";

/** A destination's key in a map: JSON of the pair, so no tenant or slug makes two keys collide. */
const keyOf = (k: DestinationKey) => JSON.stringify([k.tenant, k.destination]);

/** A claimed row with its event's body in whichever column holds it. */
type PgClaimRow = Omit<ClaimRow, "body"> & { body: Buffer | null; body_text: string | null };

interface LimitRow extends StateRow {
  rate_level: number | null;
  rate_at: number | null;
}

/**
 * Claims due pending deliveries under a lease, in one transaction, holding every destination to
 * its limits across all nodes: the destinations' state rows are locked (in name order, so claims
 * never deadlock), leases in flight on any node are counted, and the shared rate-limit bucket is
 * drawn down by what is taken. Delivery rows another transaction holds are skipped (`SKIP LOCKED`);
 * a fifo destination yields only its oldest pending delivery, and nothing while it is in flight.
 */
export async function claimDeliveries(
  sql: Sql,
  requests: readonly ClaimRequest[],
  now: number,
  leaseUntil: number,
  owner: string,
): Promise<ClaimResult> {
  const wanted = requests.filter((r) => r.limit > 0);
  if (wanted.length === 0) return { deliveries: [], held: [], states: [] };
  const tenants = wanted.map((r) => r.tenant);
  const names = wanted.map((r) => r.destination);
  // Two round trips where no rate is drawn down: BEGIN with the lock and the count, then the leases
  // with COMMIT.
  const result = await pipelinedTransaction(sql, async (tx, commit) => {
    // A lease lost in a server crash only means the delivery is claimed again: no WAL flush wait.
    // One round trip: ensure the rows, lock them, then count. Pipelined statements run in order,
    // and the count, a statement of its own started after the locks, sees every lease that a
    // claim holding them before this one committed.
    const [, , limits, inFlight] = await Promise.all([
      tx`SET LOCAL synchronous_commit = off`,
      tx`
        INSERT INTO destination_state (tenant, destination) SELECT * FROM unnest(${tenants}::text[], ${names}::text[])
        ON CONFLICT (tenant, destination) DO NOTHING
      `,
      // Locked in (tenant, destination) order, the same in every claim. The ANY conditions let the
      // planner walk the index; the pairs then keep only the destinations asked for.
      tx<LimitRow[]>`
        SELECT * FROM destination_state
        WHERE tenant = ANY(${tenants}::text[]) AND destination = ANY(${names}::text[])
          AND (tenant, destination) IN (SELECT * FROM unnest(${tenants}::text[], ${names}::text[]))
        ORDER BY tenant, destination FOR UPDATE
      `,
      tx<{ tenant: string; destination: string; n: number }[]>`
        SELECT tenant, destination, count(*)::integer AS n FROM deliveries
        WHERE tenant = ANY(${tenants}::text[]) AND destination = ANY(${names}::text[])
          AND (tenant, destination) IN (SELECT * FROM unnest(${tenants}::text[], ${names}::text[]))
          AND lease_until >= ${now}
        GROUP BY tenant, destination
      `,
    ]);
    const counts = new Map(inFlight.map((r) => [keyOf(r), r.n]));
    const byName = new Map(limits.map((row) => [keyOf(row), row]));
    const claimed: PgClaimRow[] = [];
    const held: HeldDestination[] = [];
    for (const [i, r] of wanted.entries()) {
      const row = byName.get(keyOf(r)) as LimitRow;
      const state = toState(row);
      const bucket = r.rate
        ? refillBucket(
            r.rate,
            row.rate_level === null || row.rate_at === null
              ? fullBucket(r.rate, now)
              : { level: row.rate_level, at: row.rate_at },
            now,
          )
        : null;
      const tokens = r.rate && bucket ? tokensIn(r.rate, bucket) : null;
      const budget = Math.min(
        r.limit,
        claimBudget({
          maxConcurrency: r.maxConcurrency,
          fifo: r.fifo,
          state,
          inFlight: counts.get(keyOf(r)) ?? 0,
          tokens,
          now,
        }),
      );
      if (budget <= 0) {
        const wait = r.rate && bucket ? msUntilToken(r.rate, bucket) : null;
        held.push({ tenant: r.tenant, destination: r.destination, until: heldUntil(state, wait, now) });
        continue;
      }
      const got = r.fifo ? await claimFifoHead(tx, r, now, leaseUntil, owner) : null;
      if (got && "until" in got) {
        held.push({ tenant: r.tenant, destination: r.destination, until: got.until });
        continue;
      }
      // The last statement of the transaction goes out with its COMMIT.
      const last = i === wanted.length - 1 && !r.rate;
      const rows = got
        ? got.rows
        : last
          ? ((await commit(claimDue(tx, r, budget, now, leaseUntil, owner))) ?? [])
          : await claimDue(tx, r, budget, now, leaseUntil, owner);
      claimed.push(...rows);
      if (r.rate && bucket && rows.length > 0) {
        const after = takeTokens(r.rate, bucket, rows.length);
        await tx`
          UPDATE destination_state SET rate_level = ${after.level}, rate_at = ${after.at}
          WHERE tenant = ${r.tenant} AND destination = ${r.destination}
        `;
      }
    }
    return { claimed, held, states: limits.map(toState) };
  });
  return {
    deliveries: result.claimed.map((row) => toClaimed({ ...row, body: bodyBytes(row) }, leaseUntil)),
    held: result.held,
    states: result.states,
  };
}

const CLAIMED_COLUMNS =
  "d.seq, d.id, d.tenant, d.event_id, d.destination, d.route, d.attempts, d.schedule_base, d.deadline_at, d.next_trigger, d.next_attempt_at";

/** The statement that leases up to `limit` due deliveries of a destination, earliest due first. */
function claimDue(
  tx: Queryable,
  { tenant, destination }: DestinationKey,
  limit: number,
  now: number,
  leaseUntil: number,
  owner: string,
) {
  return tx<PgClaimRow[]>`
    WITH picked AS (
      SELECT id FROM deliveries
      WHERE status = 'pending' AND tenant = ${tenant} AND destination = ${destination} AND next_attempt_at <= ${now}
        AND (lease_until IS NULL OR lease_until < ${now})
      ORDER BY next_attempt_at LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ),
    leased AS (
      UPDATE deliveries d SET lease_until = ${leaseUntil}, lease_owner = ${owner}
      FROM picked WHERE d.id = picked.id
      RETURNING ${tx.unsafe(CLAIMED_COLUMNS)}
    )
    SELECT l.id, l.tenant, l.event_id, l.destination, l.route, l.attempts, l.schedule_base, l.deadline_at,
      l.next_trigger, e.type, e.source, e.body, e.body_text
    FROM leased l JOIN events e ON e.id = l.event_id
    ORDER BY l.next_attempt_at, l.seq
  `;
}

/** Leases the oldest pending delivery of a fifo destination if it is due and not in flight. */
async function claimFifoHead(
  tx: Queryable,
  { tenant, destination }: DestinationKey,
  now: number,
  leaseUntil: number,
  owner: string,
): Promise<{ rows: PgClaimRow[] } | { until: number | null }> {
  // The destination's state row is locked, so no other claim of this destination runs now.
  const [head] = await tx<{ id: string; next_attempt_at: number; lease_until: number | null }[]>`
    SELECT id, next_attempt_at, lease_until FROM deliveries
    WHERE status = 'pending' AND tenant = ${tenant} AND destination = ${destination} ORDER BY seq LIMIT 1
  `;
  if (!head) return { rows: [] };
  if (head.next_attempt_at > now) return { until: head.next_attempt_at };
  if (head.lease_until !== null && head.lease_until >= now) return { until: null };
  const rows = await tx<PgClaimRow[]>`
    WITH leased AS (
      UPDATE deliveries d SET lease_until = ${leaseUntil}, lease_owner = ${owner}
      WHERE d.id = ${head.id} RETURNING ${tx.unsafe(CLAIMED_COLUMNS)}
    )
    SELECT l.id, l.tenant, l.event_id, l.destination, l.route, l.attempts, l.schedule_base, l.deadline_at,
      l.next_trigger, e.type, e.source, e.body, e.body_text
    FROM leased l JOIN events e ON e.id = l.event_id
  `;
  return { rows };
}

/** Ends the leases of `owner`, or every lease when `owner` is null. */
export async function releaseLeases(sql: Sql, owner: string | null): Promise<void> {
  if (owner === null) {
    await sql`UPDATE deliveries SET lease_until = NULL, lease_owner = NULL WHERE lease_until IS NOT NULL`;
  } else {
    await sql`UPDATE deliveries SET lease_until = NULL, lease_owner = NULL WHERE lease_owner = ${owner}`;
  }
}
