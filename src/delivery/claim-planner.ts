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
  /** Handed-off deliveries wait in memory: the lane's free slots are theirs. */
  waitingInMemory: boolean;
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
 * Which claims a round makes, given the lanes and `free` slots across the worker. Pure: the lanes
 * come in as snapshots taken at the round's `now`.
 */
export function planClaims(lanes: Iterable<LaneSnapshot>, free: number): ClaimPlan {
  const claims: PlannedClaim[] = [];
  const waiting = new Map<string, number | null>();
  let leaseMs = 0;
  for (const lane of lanes) {
    if (lane.waitingInMemory) {
      waiting.set(lane.key, null);
      continue;
    }
    if (lane.skip) continue;
    if (lane.budget <= 0 || free <= 0) {
      waiting.set(lane.key, free > 0 ? lane.heldUntil : null);
      continue;
    }
    const limit = Math.min(lane.budget, free);
    // While requests are in flight, wait until a quarter of the slots are free: one claim of
    // many rows costs about what a claim of one does.
    if (lane.inFlight > 0 && limit < Math.ceil(lane.maxConcurrency / 4) && !lane.fifo) {
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
    leaseMs = Math.max(leaseMs, lane.timeout + LEASE_MARGIN_MS);
    free -= limit;
  }
  return { claims, waiting, leaseMs };
}
