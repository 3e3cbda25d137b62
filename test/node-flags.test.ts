import { describe, expect, it } from "vitest";
import { limitHeapGrowth, startedWith } from "../src/node-flags.js";

describe("startedWith", () => {
  it("finds a flag alone or with a value, on the command line or in NODE_OPTIONS", () => {
    expect(startedWith("--no-node-snapshot", ["--no-node-snapshot"], "")).toBe(true);
    expect(startedWith("--heap-growing-percent", ["--heap-growing-percent=80"], "")).toBe(true);
    expect(
      startedWith("--heap-growing-percent", [], "--max-old-space-size=512 --heap-growing-percent=80"),
    ).toBe(true);
  });

  it("treats dashes and underscores alike, as V8 does", () => {
    expect(startedWith("--heap-growing-percent", ["--heap_growing_percent=80"], "")).toBe(true);
  });

  it("does not match a flag that merely starts the same way", () => {
    expect(startedWith("--heap-growing-percent", ["--heap-growing-percentage=1"], "")).toBe(false);
    expect(startedWith("--no-node-snapshot", [], "")).toBe(false);
  });
});

describe("limitHeapGrowth", () => {
  it("applies the limit unless the process was started with its own", () => {
    // This test process was not started with --heap-growing-percent (vitest.config.ts).
    expect(startedWith("--heap-growing-percent")).toBe(false);
    expect(limitHeapGrowth()).toBe(true);
  });
});
