import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/core/duration.js";

describe("durations", () => {
  it("read as the config writes them", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("1.5s")).toBe(1_500);
    expect(parseDuration("24h")).toBe(86_400_000);
    expect(parseDuration("5 minutes")).toBeUndefined();
    expect(parseDuration("")).toBeUndefined();
  });

  it("write the largest whole unit, and zero as 0s (a schedule's 'at once')", () => {
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(300)).toBe("300ms");
    expect(formatDuration(5_000)).toBe("5s");
    expect(formatDuration(90_000)).toBe("90s");
    expect(formatDuration(86_400_000)).toBe("1d");
    for (const text of ["0s", "300ms", "5s", "5m", "2h", "30d"])
      expect(formatDuration(parseDuration(text) as number)).toBe(text);
  });
});
