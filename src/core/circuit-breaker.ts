/** A destination's circuit: how many deliveries failed in a row, and whether it is resting. */
export interface CircuitState {
  consecutiveFailures: number;
  /** While now is before this, deliveries to the destination are held back; null when closed. */
  openUntil: number | null;
  /** The cool-down the circuit last opened for; doubles on each failed probe; 0 when closed. */
  cooldownMs: number;
}

/** When a circuit opens and how long it rests. */
export interface CircuitPolicy {
  /** Consecutive failures that open the circuit. */
  threshold: number;
  /** The first cool-down. */
  baseCooldownMs: number;
  /** The cool-down never grows past this. */
  maxCooldownMs: number;
}

/** A healthy destination. */
export const CLOSED: CircuitState = Object.freeze({ consecutiveFailures: 0, openUntil: null, cooldownMs: 0 });

/** Open after 10 failures in a row, for 30 s at first and at most 1 h. */
export const DEFAULT_CIRCUIT_POLICY: CircuitPolicy = Object.freeze({
  threshold: 10,
  baseCooldownMs: 30_000,
  maxCooldownMs: 3_600_000,
});

/** `open` while resting; `half_open` once the cool-down has passed, when one probe may go. */
export function circuitStatus(state: CircuitState, now: number): "closed" | "open" | "half_open" {
  if (state.openUntil === null) return "closed";
  return now < state.openUntil ? "open" : "half_open";
}

/** After a successful delivery: closed, counters reset. */
export function afterSuccess(_state: CircuitState): CircuitState {
  return CLOSED;
}

/** After a failed delivery: counts it, opens at the threshold, and re-opens for twice as long after a failed probe. */
export function afterFailure(state: CircuitState, now: number, policy: CircuitPolicy): CircuitState {
  const consecutiveFailures = state.consecutiveFailures + 1;
  switch (circuitStatus(state, now)) {
    case "half_open": {
      const cooldownMs = Math.min(
        Math.max(state.cooldownMs * 2, policy.baseCooldownMs),
        policy.maxCooldownMs,
      );
      return { consecutiveFailures, openUntil: now + cooldownMs, cooldownMs };
    }
    case "open":
      // A request sent before the circuit opened has failed late: it must not stretch the rest.
      return { ...state, consecutiveFailures };
    case "closed": {
      if (consecutiveFailures < policy.threshold) return { ...state, consecutiveFailures };
      const cooldownMs = Math.min(policy.baseCooldownMs, policy.maxCooldownMs);
      return { consecutiveFailures, openUntil: now + cooldownMs, cooldownMs };
    }
  }
}
