import { circuitStatus } from "./circuit-breaker.js";
import type { DestinationState } from "./delivery-types.js";
import { circuitOf } from "./destination-state.js";

/** A destination's limits and what is known of it at claim time. */
export interface BudgetInput {
  maxConcurrency: number;
  fifo: boolean;
  /** Null when the destination has no stored state yet (active, closed). */
  state: DestinationState | null;
  /** Deliveries of the destination in flight (on this worker, or on every node for a shared store). */
  inFlight: number;
  /** Whole rate-limit tokens available; null without a rate limit. */
  tokens: number | null;
  now: number;
}

/**
 * How many more deliveries of a destination may start now: none while it is disabled or its
 * circuit is open; one at a time in fifo order or while the circuit lets a probe through;
 * otherwise up to `maxConcurrency` in flight, and no more than the rate limit's tokens. Pure, so
 * a worker and a shared store's claim compute it alike.
 */
export function claimBudget(i: BudgetInput): number {
  if (i.state?.state === "disabled") return 0;
  const circuit = i.state ? circuitStatus(circuitOf(i.state), i.now) : "closed";
  if (circuit === "open") return 0;
  const cap = i.fifo || circuit === "half_open" ? 1 : i.maxConcurrency;
  const budget = Math.min(cap - i.inFlight, i.tokens ?? Number.POSITIVE_INFINITY);
  return Math.max(0, budget);
}

/**
 * When a destination that may start nothing now may have room again: when its circuit closes to a
 * probe, or its rate limit's next token (`msUntilToken`, null without a limit); null when only the
 * end of work in flight (or an enable) can free it.
 */
export function heldUntil(
  state: DestinationState | null,
  msUntilToken: number | null,
  now: number,
): number | null {
  if (state?.state === "disabled") return null;
  const open = state?.circuitOpenUntil ?? null;
  if (open !== null && open > now) return open;
  if (msUntilToken !== null && msUntilToken > 0) return now + msUntilToken;
  return null;
}
