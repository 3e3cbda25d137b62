import { circuitStatus } from "../core/circuit-breaker.js";
import type { DestinationState } from "../core/delivery-types.js";
import { circuitOf } from "../core/destination-state.js";

/** A destination's circuit status now; a destination with no stored state is closed. */
export function destinationCircuit(s: DestinationState | undefined, now: number) {
  return s ? circuitStatus(circuitOf(s), now) : "closed";
}
