import { describe, expect, it } from "vitest";
import {
  afterFailure,
  afterSuccess,
  type CircuitState,
  CLOSED,
  circuitStatus,
  DEFAULT_CIRCUIT_POLICY as policy,
} from "../../src/core/circuit-breaker.js";

const T0 = 1_700_000_000_000;
const S = 1_000;

function fail(times: number, state: CircuitState = CLOSED, now = T0): CircuitState {
  let s = state;
  for (let i = 0; i < times; i++) s = afterFailure(s, now, policy);
  return s;
}

describe("circuit breaker", () => {
  it("stays closed for 9 failures and opens on the 10th", () => {
    const nine = fail(9);
    expect(circuitStatus(nine, T0)).toBe("closed");
    expect(nine.consecutiveFailures).toBe(9);
    const ten = afterFailure(nine, T0, policy);
    expect(ten).toEqual({ consecutiveFailures: 10, openUntil: T0 + 30 * S, cooldownMs: 30 * S });
    expect(circuitStatus(ten, T0 + 30 * S - 1)).toBe("open");
  });

  it("goes half-open once the cool-down has passed", () => {
    const open = fail(10);
    expect(circuitStatus(open, T0 + 30 * S)).toBe("half_open");
  });

  it("does not extend the rest for late failures while open", () => {
    const open = fail(10);
    const late = afterFailure(open, T0 + 10 * S, policy);
    expect(late.openUntil).toBe(open.openUntil);
    expect(late.consecutiveFailures).toBe(11);
  });

  it("doubles the cool-down on each failed probe, up to one hour", () => {
    let state = fail(10);
    const cooldowns = [state.cooldownMs];
    for (let i = 0; i < 10; i++) {
      const probeAt = state.openUntil as number;
      expect(circuitStatus(state, probeAt)).toBe("half_open");
      state = afterFailure(state, probeAt, policy);
      expect(circuitStatus(state, probeAt)).toBe("open");
      expect(state.openUntil).toBe(probeAt + state.cooldownMs);
      cooldowns.push(state.cooldownMs);
    }
    expect(cooldowns).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600].map((s) => s * S));
  });

  it("closes and resets on success, from any state", () => {
    const open = fail(10);
    const probeAt = open.openUntil as number;
    expect(afterSuccess(open)).toEqual(CLOSED);
    const closed = afterSuccess(afterFailure(open, probeAt, policy));
    expect(circuitStatus(closed, probeAt)).toBe("closed");
    expect(closed).toEqual({ consecutiveFailures: 0, openUntil: null, cooldownMs: 0 });
    // The count starts over: 9 more failures keep it closed.
    expect(circuitStatus(fail(9, closed, probeAt), probeAt)).toBe("closed");
    expect(afterSuccess(fail(3))).toEqual(CLOSED);
  });
});
