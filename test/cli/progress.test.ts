import { describe, expect, it } from "vitest";
import { withProgress } from "../../src/cli/progress.js";

/** A terminal stand-in that records what is written and wakes a waiter on each write. */
function terminal(isTTY: boolean) {
  const written: string[] = [];
  let wake: (() => void) | undefined;
  return {
    written,
    stream: {
      isTTY,
      write(text: string) {
        written.push(text);
        wake?.();
      },
    },
    /** Resolves once `count` writes have been made. */
    writes(count: number) {
      return new Promise<void>((resolve) => {
        wake = () => written.length >= count && resolve();
        wake();
      });
    },
  };
}

describe("withProgress", () => {
  it("on a terminal, rewrites its label with the seconds elapsed, then clears the line", async () => {
    const t = terminal(true);
    let clock = 0;
    let finish: (value: string) => void = () => {};
    const running = withProgress("replaying", () => new Promise<string>((r) => (finish = r)), {
      stream: t.stream,
      everyMs: 5,
      now: () => clock,
    });
    await t.writes(1);
    clock = 2_500;
    await t.writes(2);
    finish("done");
    expect(await running).toBe("done");
    expect(t.written[0]).toBe("\rreplaying… 0s");
    expect(t.written[1]).toBe("\rreplaying… 2s");
    expect(t.written.at(-1)).toBe("\r\u001b[2K");
  });

  it("off a terminal writes nothing, and a failure passes through with the line cleared", async () => {
    const pipe = terminal(false);
    expect(await withProgress("migrating", async () => 7, { stream: pipe.stream })).toBe(7);
    expect(pipe.written).toEqual([]);
    const tty = terminal(true);
    await expect(
      withProgress("purging", async () => Promise.reject(new Error("refused")), { stream: tty.stream }),
    ).rejects.toThrow("refused");
    expect(tty.written.at(-1)).toBe("\r\u001b[2K");
  });
});
