import { describe, expect, it } from "vitest";
import { HEAP_GROWING_PERCENT, startedWith, tuneGarbageCollector } from "../src/node-flags.js";

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

describe("tuneGarbageCollector", () => {
  it("caps the heap's growth and turns allocation-site pretenuring off, in a process started with neither", () => {
    // This test process was started with neither (vitest.config.ts).
    expect(startedWith("--heap-growing-percent")).toBe(false);
    expect(tuneGarbageCollector()).toEqual([
      `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
      "--no-allocation-site-pretenuring",
    ]);
  });

  it("leaves each setting the process was started with alone, either polarity of a boolean one", () => {
    expect(tuneGarbageCollector(["--heap-growing-percent=100"], "")).toEqual([
      "--no-allocation-site-pretenuring",
    ]);
    expect(tuneGarbageCollector(["--allocation-site-pretenuring"], "")).toEqual([
      `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
    ]);
    expect(tuneGarbageCollector([], "--no-allocation_site_pretenuring")).toEqual([
      `--heap-growing-percent=${HEAP_GROWING_PERCENT}`,
    ]);
    expect(tuneGarbageCollector(["--heap-growing-percent=80", "--allocation-site-pretenuring"], "")).toEqual(
      [],
    );
  });
});
