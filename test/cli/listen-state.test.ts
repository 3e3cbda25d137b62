import { readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  listenStateDir,
  localSecret,
  positionFile,
  readPosition,
  writePosition,
} from "../../src/cli/listen-state.js";
import { styleFor } from "../../src/cli/terminal-style.js";
import { tempDir } from "../support/app.js";

const temp = tempDir();
afterAll(() => temp.cleanup());

describe("listen's state", () => {
  it("lives in SWITCHYARD_STATE_DIR, else XDG_STATE_HOME, else ~/.local/state", () => {
    expect(listenStateDir({ SWITCHYARD_STATE_DIR: "/s", XDG_STATE_HOME: "/x" })).toBe("/s/listen");
    expect(listenStateDir({ XDG_STATE_HOME: "/x" })).toBe("/x/switchyard/listen");
    expect(listenStateDir({})).toMatch(/\/\.local\/state\/switchyard\/listen$/);
  });

  it("keeps one position per server, tenant and forward URL, written whole and private", () => {
    const a = positionFile(temp.dir, "http://s:1", "default", "http://localhost:3000/a");
    expect(positionFile(temp.dir, "http://s:1", "default", "http://localhost:3000/a")).toBe(a);
    const others = [
      positionFile(temp.dir, "http://s:2", "default", "http://localhost:3000/a"),
      positionFile(temp.dir, "http://s:1", "acme", "http://localhost:3000/a"),
      positionFile(temp.dir, "http://s:1", "default", "http://localhost:3000/b"),
    ];
    expect(new Set([a, ...others]).size).toBe(4);
    expect(readPosition(a)).toBeUndefined();
    const position = {
      server: "http://s:1",
      tenant: "default",
      forwardTo: "http://localhost:3000/a",
      lastEventId: "evt_01ARZ3NDEKTSV4RRFFQ69G5FAV",
      updatedAt: "2026-01-01T00:00:00.000Z",
    };
    writePosition(a, position);
    writePosition(a, { ...position, lastEventId: "evt_01ARZ3NDEKTSV4RRFFQ69G5FAW" });
    expect(readPosition(a)?.lastEventId).toBe("evt_01ARZ3NDEKTSV4RRFFQ69G5FAW");
    expect(statSync(a).mode & 0o777).toBe(0o600);
    // No temporary file is left beside it.
    expect(readdirSync(temp.dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    writeFileSync(a, "not json");
    expect(() => readPosition(a)).toThrow(/--from now/);
  });

  it("makes a local secret once and keeps it; --secret overrides it, and may not be empty", () => {
    const dir = join(temp.dir, "secret");
    const made = localSecret(dir, undefined);
    expect(made.secret).toMatch(/^[0-9a-f]{48}$/);
    expect(localSecret(dir, undefined).secret).toBe(made.secret);
    expect(statSync(made.file as string).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(localSecret(dir, "mine")).toEqual({ secret: "mine" });
    expect(() => localSecret(dir, "")).toThrow(/must not be empty/);
  });
});

describe("terminal colors", () => {
  it("only on a TTY, and never with NO_COLOR", () => {
    expect(styleFor({ isTTY: true }, {}).red("x")).toBe("\u001b[31mx\u001b[39m");
    expect(styleFor({ isTTY: true }, { NO_COLOR: "1" }).red("x")).toBe("x");
    expect(styleFor({ isTTY: false }, {}).red("x")).toBe("x");
  });
});
