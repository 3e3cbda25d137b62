import { afterFailure, afterSuccess, type CircuitPolicy, type CircuitState } from "./circuit-breaker.js";
import type { DestinationState } from "./delivery-types.js";

/**
 * What one finished attempt tells about its destination. Stores apply it to the stored state in
 * the transaction that records the attempt, so several nodes counting failures of one destination
 * never overwrite each other's counts.
 */
export interface DestinationChange {
  tenant: string;
  destination: string;
  ok: boolean;
  at: number;
  /** Why the destination is now disabled (it answered 410 Gone); null to leave it as it is. */
  disable: string | null;
  circuit: CircuitPolicy;
}

/** An active destination with a closed circuit and no history. */
export function initialDestinationState(tenant: string, destination: string): DestinationState {
  return {
    tenant,
    destination,
    state: "active",
    disabledReason: null,
    consecutiveFailures: 0,
    circuitOpenUntil: null,
    circuitCooldownMs: 0,
    lastSuccessAt: null,
    lastFailureAt: null,
  };
}

/** The circuit-breaker part of a destination's stored state. */
export function circuitOf(s: DestinationState): CircuitState {
  return {
    consecutiveFailures: s.consecutiveFailures,
    openUntil: s.circuitOpenUntil,
    cooldownMs: s.circuitCooldownMs,
  };
}

/** A destination's state after a change. Pure. */
export function applyDestinationChange(s: DestinationState, change: DestinationChange): DestinationState {
  const before = circuitOf(s);
  const c = change.ok ? afterSuccess(before) : afterFailure(before, change.at, change.circuit);
  return {
    ...s,
    consecutiveFailures: c.consecutiveFailures,
    circuitOpenUntil: c.openUntil,
    circuitCooldownMs: c.cooldownMs,
    ...(change.ok ? { lastSuccessAt: change.at } : { lastFailureAt: change.at }),
    ...(change.disable !== null ? { state: "disabled" as const, disabledReason: change.disable } : {}),
  };
}
