// Runs on SQLite only: it kills a serving process and reads the SQLite file it left.
import { randomInt } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import Database from "../src/storage/sqlite/driver.js";
import { tempDir } from "./support/app.js";
import { freePort, startChild } from "./support/child.js";
import { floodThenKill } from "./support/flood.js";

const SECRET = "crash-test-secret";
const TOTAL = 4000;
const CONCURRENCY = 64;

const temp = tempDir();
afterAll(() => temp.cleanup());

it("keeps every acknowledged event through kill -9", { timeout: 120_000 }, async () => {
  const dbPath = join(temp.dir, "crash.db");
  const configFile = join(temp.dir, "switchyard.yaml");
  writeFileSync(
    configFile,
    `database: { url: "sqlite:${dbPath}" }\nadminToken: crash-test-admin-token\nlog: { level: info }\nserver: { host: 127.0.0.1 }\nsources:\n  - { slug: vercel, kind: vercel, secrets: ["${SECRET}"] }\n`,
  );
  const port = await freePort();
  const child = await startChild(configFile, port);
  const killAfter = randomInt(300, TOTAL - 500);
  const { acked, killed } = await floodThenKill(child, {
    secret: SECRET,
    prefix: "crash",
    total: TOTAL,
    concurrency: CONCURRENCY,
    killAfter,
  });
  expect(killed).toBe(true);
  expect(acked.size).toBeGreaterThanOrEqual(killAfter);

  // The restarted process recovers the file; then every acknowledged event must be in it.
  const again = await startChild(configFile, port);
  const ready = await fetch(`${again.url}/readyz`);
  expect(ready.status).toBe(200);
  again.process.kill("SIGTERM");
  expect(await again.exited).toBe(0);

  const db = new Database(dbPath, { readonly: true });
  const stored = new Map(
    (db.prepare("SELECT external_id, id FROM events").all() as { external_id: string; id: string }[]).map(
      (r) => [r.external_id, r.id],
    ),
  );
  db.close();
  const lost = [...acked].filter(([externalId, eventId]) => stored.get(externalId) !== eventId);
  expect(lost).toEqual([]);
});
