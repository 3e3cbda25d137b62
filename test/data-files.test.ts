// Switchyard's files hold payloads and secrets: created private (0600 in a 0700 folder) whatever
// the umask, and made private at start when found open to others. Checked on the real files.
import { chmodSync, existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tightenModes } from "../src/private-files.js";
import { tempDir } from "./support/app.js";
import { type Child, freePort, startChild } from "./support/child.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8);

async function stop(child: Child): Promise<void> {
  child.process.kill("SIGTERM");
  await child.exited;
}

/** Runs `switchyard serve` on the embedded defaults in `cwd` under umask 022; collects its log lines. */
async function serveIn(cwd: string, lines: string[] = []): Promise<Child> {
  const previous = process.umask(0o022);
  try {
    const port = await freePort();
    const child = await startChild(null, port, {
      cwd,
      env: { HOST: "127.0.0.1", PORT: String(port) },
      onLine: (line) => lines.push(line),
    });
    cleanups.push(() => stop(child));
    return child;
  } finally {
    process.umask(previous);
  }
}

describe("data file modes", () => {
  it("creates the data folder 0700 and the database, its WAL, lock and credentials 0600 under umask 022", {
    timeout: 60_000,
  }, async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const child = await serveIn(dir);
    const data = join(dir, ".switchyard");
    expect(modeOf(data)).toBe("700");
    for (const name of [
      "switchyard.db",
      "switchyard.db-wal",
      "switchyard.db-shm",
      "switchyard.db.lock",
      "credentials.json",
    ]) {
      expect({ name, mode: modeOf(join(data, name)) }).toEqual({ name, mode: "600" });
    }
    await stop(child);
  });

  it("warns about each data file open to others at start, and makes it private", {
    timeout: 60_000,
  }, async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const data = join(dir, ".switchyard");
    await stop(await serveIn(dir));
    const files = [
      "switchyard.db",
      "switchyard.db-wal",
      "switchyard.db-shm",
      "switchyard.db.lock",
      "credentials.json",
    ]
      .map((name) => join(data, name))
      .filter((file) => existsSync(file));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) chmodSync(file, 0o644);

    const lines: string[] = [];
    await serveIn(dir, lines);
    const warnings = lines
      .filter((line) => line.startsWith("{"))
      .map(
        (line) =>
          JSON.parse(line) as { level: number; msg: string; file?: string; mode?: string; now?: string },
      )
      .filter((l) => l.msg === "a data file was open to other users: made it private");
    expect(warnings.map((w) => w.file).sort()).toEqual([...files].sort());
    for (const w of warnings) expect(w).toMatchObject({ level: 40, mode: "0644", now: "0600" });
    for (const file of files) expect({ file, mode: modeOf(file) }).toEqual({ file, mode: "600" });
  });

  it("takes only the group's and others' permissions away: a read-only file stays read-only", () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const files = ["a", "b", "c"].map((n) => join(dir, n));
    for (const f of files) writeFileSync(f, "");
    chmodSync(files[0] as string, 0o644);
    chmodSync(files[1] as string, 0o444);
    chmodSync(files[2] as string, 0o600);
    expect(tightenModes([...files, join(dir, "missing")])).toEqual([
      { file: files[0], mode: "0644", now: "0600" },
      { file: files[1], mode: "0444", now: "0400" },
    ]);
    expect(files.map(modeOf)).toEqual(["600", "400", "600"]);
  });
});
