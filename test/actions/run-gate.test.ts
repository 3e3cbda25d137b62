import { describe, expect, it } from "vitest";
import { ACTION_OFF_TEXT, CHECK_OFF_TEXT, gateNeedsProject, turnedOff } from "../../src/actions/run-gate.js";
import type { RunSetting } from "../../src/core/run-settings.js";

// The decision alone: a pure function of an installation's run settings and a run's kind, name
// and project.

const settings: RunSetting[] = [
  { kind: "action", name: "branch", runs: "off" },
  { kind: "action", name: "notify", runs: ["prj_a", "prj_b"] },
  { kind: "check", name: "branch", runs: ["prj_a"] },
];

describe("the run gate", () => {
  it("runs what the installation never changed, for every project and for none known", () => {
    expect(turnedOff(settings, "action", "seed", "prj_z")).toBeNull();
    expect(turnedOff(settings, "check", "Smoke test", null)).toBeNull();
    expect(turnedOff([], "action", "branch", null)).toBeNull();
  });

  it("turns off what is off, whatever the project", () => {
    expect(turnedOff(settings, "action", "branch", "prj_a")).toBe(ACTION_OFF_TEXT);
    expect(turnedOff(settings, "action", "branch", null)).toBe(ACTION_OFF_TEXT);
  });

  it("runs what is on for chosen projects only for those, and not for a project not known", () => {
    expect(turnedOff(settings, "action", "notify", "prj_b")).toBeNull();
    expect(turnedOff(settings, "action", "notify", "prj_c")).toBe(ACTION_OFF_TEXT);
    expect(turnedOff(settings, "action", "notify", null)).toBe(ACTION_OFF_TEXT);
  });

  it("keeps an action and a check of the same name apart", () => {
    expect(turnedOff(settings, "check", "branch", "prj_a")).toBeNull();
    expect(turnedOff(settings, "check", "branch", "prj_b")).toBe(CHECK_OFF_TEXT);
    expect(turnedOff(settings, "check", "notify", "prj_c")).toBeNull();
  });

  it("needs the deployment's project only for an item on for chosen projects", () => {
    expect(gateNeedsProject(settings, "action", "notify")).toBe(true);
    expect(gateNeedsProject(settings, "action", "branch")).toBe(false);
    expect(gateNeedsProject(settings, "action", "seed")).toBe(false);
  });
});
