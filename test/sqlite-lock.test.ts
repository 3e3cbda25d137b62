// Runs on SQLite only: the lock it tests is SQLite's.
// SQLite serves one process: a second `switchyard serve` (or `migrate`) on the same database is
// refused, naming the holder, and a holder killed with SIGKILL leaves nothing that blocks a restart.
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DatabaseLockedError } from "../src/storage/sqlite/process-lock.js";
import { SqliteStore } from "../src/storage/sqlite/store.js";
import { tempDir } from "./support/app.js";
import { type Child, freePort, runCli, startChild, writeChildConfig } from "./support/child.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(configFile: string): Promise<Child> {
  const child = await startChild(configFile, await freePort());
  cleanups.push(async () => {
    child.process.kill("SIGKILL");
    await child.exited;
  });
  return child;
}

describe("one process per SQLite database", () => {
  it("refuses a second serve and a migrate while one serves, naming it; a kill -9 frees the database", {
    timeout: 120_000,
  }, async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const db = join(dir, "switchyard.db");
    const configFile = writeChildConfig(join(dir, "switchyard.yaml"), {
      databaseUrl: `sqlite:${db}`,
      secret: "lock-secret",
    });
    const first = await serve(configFile);
    const holder = `pid ${first.process.pid} on ${hostname()}, started 20`;

    const second = await runCli(["serve", "--config", configFile, "--port", String(await freePort())]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `switchyard: the SQLite database ${db} is in use by another Switchyard process (${holder}`,
    );
    expect(second.stderr).toContain("SQLite serves one process");
    expect(second.stdout).not.toContain("switchyard listening");
    const migrate = await runCli(["migrate", "--config", configFile]);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toContain(`is in use by another Switchyard process (${holder}`);
    // The refused processes did not disturb the one serving.
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);

    first.process.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    const third = await serve(configFile);
    expect((await fetch(`${third.url}/readyz`)).status).toBe(200);
    const refused = await runCli(["serve", "--config", configFile, "--port", String(await freePort())]);
    expect(refused.stderr).toContain(`(pid ${third.process.pid} on ${hostname()}`);
  });

  it("takes a damaged lock file over: only a crash while it was written leaves one", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, "switchyard.db");
    writeFileSync(`${path}.lock`, "not a database, and long enough to look like a header ".repeat(4));
    const store = await SqliteStore.open(path);
    await expect(SqliteStore.open(path)).rejects.toThrow("is already open in this process");
    await store.close();
  });

  it("refuses a second store on the same file in one process until the first closes", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const path = join(dir, "switchyard.db");
    const store = await SqliteStore.open(path);
    const refusal = await SqliteStore.open(path).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(DatabaseLockedError);
    expect((refusal as DatabaseLockedError).message).toContain(
      `the SQLite database ${path} is already open in this process`,
    );
    await store.ping();
    await store.close();
    const again = await SqliteStore.open(path);
    await again.ping();
    await again.close();
  });
});
