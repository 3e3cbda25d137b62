import type { Rate } from "../core/rate-limit.js";
import type { ClaimRequest } from "../storage/port.js";

/** How long past the destination's timeout a lease lasts: time to record the outcome. */
export const LEASE_MARGIN_MS = 30_000;

/** What the planner needs to know of one lane at the time of a claim round. */
export interface LaneSnapshot {
  key: string;
  /** The destination's owner: a claim is for one (tenant, destination). */
  tenant: string;
  slug: string;
  fifo: boolean;
  maxConcurrency: number;
  rate: Rate | null;
  /** The destination's attempt timeout, in ms. */
  timeout: number;
  inFlight: number;
  /** Deliveries waiting in memory for a slot (handed off or read ahead): the lane's free slots are theirs first. */
  waiting: number;
  /**
   * How many more claimed deliveries may wait in memory for the lane's next free slots (0 where it
   * reads nothing ahead): a slot that frees starts one at once rather than after the next claim.
   */
  readAhead: number;
  /** The store holds nothing due for it as far as the worker knows, and it claimed recently. */
  skip: boolean;
  /** How many more deliveries its limits let start now. */
  budget: number;
  /** When it may have room again if it has none now (circuit, rate); null: when work ends. */
  heldUntil: number | null;
}

/** One claim to make, for the lane `key`. */
export interface PlannedClaim {
  key: string;
  request: ClaimRequest;
}

/** A claim round: what to ask the store for, and when to look again at lanes it did not ask for. */
export interface ClaimPlan {
  claims: PlannedClaim[];
  /**
   * Lanes not claimed for though work may be due, with when to look again (null: when a send
   * ends, new work arrives, or the next poll).
   */
  waiting: Map<string, number | null>;
  /** How long the claimed deliveries are leased for. */
  leaseMs: number;
}

/**
 * Which claims a round makes, given the lanes, `free` slots across the worker and `memory`, the
 * places left across the worker for deliveries waiting in memory. Pure: the lanes come in as
 * snapshots taken at the round's `now`.
 */
export function planClaims(lanes: Iterable<LaneSnapshot>, free: number, memory = 0): ClaimPlan {
  const claims: PlannedClaim[] = [];
  const waiting = new Map<string, number | null>();
  let leaseMs = 0;
  for (const lane of lanes) {
    const ahead = Math.min(lane.readAhead, Math.max(0, memory));
    if (lane.waiting > 0 && ahead === 0) {
      waiting.set(lane.key, null);
      continue;
    }
    if (lane.skip) continue;
    // The slots the lane may fill now and that its deliveries already in memory will not take.
    const start = Math.max(0, Math.min(lane.budget, free) - lane.waiting);
    const limit = start + ahead;
    if (limit <= 0) {
      waiting.set(lane.key, free > 0 && lane.budget <= 0 ? lane.heldUntil : null);
      continue;
    }
    // While requests are in flight, wait until a quarter of the slots are free (half of the
    // places, when reading ahead): one claim of many rows costs about what a claim of one does.
    const least = Math.ceil(lane.maxConcurrency / (ahead > 0 ? 2 : 4));
    if (lane.inFlight > 0 && limit < least && !lane.fifo) {
      waiting.set(lane.key, null);
      continue;
    }
    claims.push({
      key: lane.key,
      request: {
        tenant: lane.tenant,
        destination: lane.slug,
        limit,
        fifo: lane.fifo,
        maxConcurrency: lane.maxConcurrency,
        rate: lane.rate,
      },
    });
    // What is read ahead waits for a slot up to one timeout before its own attempt starts.
    leaseMs = Math.max(leaseMs, (ahead > 0 ? 2 : 1) * lane.timeout + LEASE_MARGIN_MS);
    free -= start;
    memory -= ahead;
  }
  return { claims, waiting, leaseMs };
}
