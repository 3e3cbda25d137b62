import { type CircuitState, circuitStatus } from "../core/circuit-breaker.js";
import type { DestinationState } from "../core/delivery-types.js";

/** The circuit-breaker part of a destination's stored state. */
export function circuitOf(s: DestinationState): CircuitState {
  return {
    consecutiveFailures: s.consecutiveFailures,
    openUntil: s.circuitOpenUntil,
    cooldownMs: s.circuitCooldownMs,
  };
}

/** A circuit state as the fields of a destination's stored state. */
export function circuitFields(c: CircuitState) {
  return {
    consecutiveFailures: c.consecutiveFailures,
    circuitOpenUntil: c.openUntil,
    circuitCooldownMs: c.cooldownMs,
  };
}

/** A destination's circuit status now; a destination with no stored state is closed. */
export function destinationCircuit(s: DestinationState | undefined, now: number) {
  return s ? circuitStatus(circuitOf(s), now) : "closed";
}
