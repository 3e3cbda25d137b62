import { describe, expect, it } from "vitest";
import { checkCommandsFor } from "../../src/actions/check-commands.js";
import { sampleEvent } from "../../src/vercel/index.js";

// What the checks-v2 events ask of an installation's check runs, read from their payloads (the
// catalog's samples: Vercel's example integration is the only source of their shape).

const T = Date.UTC(2026, 0, 1);
const commandsOf = checkCommandsFor([]);

/** A catalog sample of `type` whose check run belongs to `configurationId`. */
function checkRunEvent(type: string, configurationId: string) {
  const event = sampleEvent(type) as {
    payload: { checkRun: { source: { integrationConfigurationId: string } } };
  };
  event.payload.checkRun.source.integrationConfigurationId = configurationId;
  return event;
}

describe("checks-v2 run commands", () => {
  it("a start or a cancel names the run by Vercel's ids, with no check configured here", () => {
    for (const [type, op] of [
      ["deployment.checkrun.start", "checkrun-start"],
      ["deployment.checkrun.cancel", "checkrun-cancel"],
    ] as const) {
      const event = checkRunEvent(type, "icfg_a") as unknown as {
        payload: { checkRun: { id: string; checkId: string }; deployment: { id: string } };
      };
      const [command, ...more] = commandsOf(type, event, "icfg_a", T);
      expect(more).toEqual([]);
      expect(command).toMatchObject({
        kind: "check",
        op,
        tenant: "icfg_a",
        deploymentId: event.payload.deployment.id,
        name: null,
        checkId: event.payload.checkRun.checkId,
        checkRunId: event.payload.checkRun.id,
      });
      expect(command?.runId).toMatch(/^act_/);
    }
  });

  it("asks nothing of an installation the run's source is not", () => {
    const event = checkRunEvent("deployment.checkrun.start", "icfg_b");
    expect(commandsOf("deployment.checkrun.start", event, "icfg_a", T)).toEqual([]);
  });

  it("asks nothing when the run or its check is not named", () => {
    const event = checkRunEvent("deployment.checkrun.start", "icfg_a") as unknown as {
      payload: { checkRun: Record<string, unknown> };
    };
    delete event.payload.checkRun.checkId;
    expect(commandsOf("deployment.checkrun.start", event, "icfg_a", T)).toEqual([]);
    expect(commandsOf("deployment.checkrun.start", { payload: {} }, "icfg_a", T)).toEqual([]);
  });
});
