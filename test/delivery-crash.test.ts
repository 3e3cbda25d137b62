// Runs on SQLite only: it kills a delivering process and reads the SQLite file it left; test/chaos does the same on PostgreSQL.
import { randomInt } from "node:crypto";
import { once } from "node:events";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { afterAll, expect, it } from "vitest";
import Database from "../src/storage/sqlite/driver.js";
import { tempDir } from "./support/app.js";
import { freePort, startChild, writeChildConfig } from "./support/child.js";
import { floodThenKill } from "./support/flood.js";
import { Sink } from "./support/sink.js";

const SECRET = "delivery-crash-secret";
const TOTAL = 3000;
const CONCURRENCY = 32;

const temp = tempDir();
afterAll(() => temp.cleanup());

it("delivers every acknowledged event at least once through kill -9 during heavy delivery", {
  timeout: 180_000,
}, async () => {
  const sink = await Sink.start();
  const dbPath = join(temp.dir, "delivery-crash.db");
  const configFile = writeChildConfig(join(temp.dir, "switchyard.yaml"), {
    databaseUrl: `sqlite:${dbPath}`,
    secret: SECRET,
    sink: {
      url: sink.url,
      settings: "maxConcurrency: 32, retry: { schedule: [0s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s, 1s] }",
    },
  });
  const port = await freePort();
  const child = await startChild(configFile, port);
  const killAfter = randomInt(500, TOTAL - 500);
  const flood = await floodThenKill(child, {
    secret: SECRET,
    prefix: "dc",
    total: TOTAL,
    concurrency: CONCURRENCY,
    killAfter,
  });
  const acked = new Set(flood.acked.keys());
  const killed = flood.killed;
  expect(killed).toBe(true);
  const deliveredBeforeRestart = new Set(sink.received.map((r) => r.json.id as string)).size;

  // The restarted process picks up what the dead one left: pending and leased deliveries alike.
  const again = await startChild(configFile, port);
  const seen = () => new Set(sink.received.map((r) => r.json.id as string));
  while ([...acked].some((id) => !seen().has(id))) await once(sink, "request");
  // Events stored but never acknowledged (the answer died with the process) are delivered too.
  const pendingNow = () => {
    const db = new Database(dbPath, { readonly: true });
    try {
      return db.prepare("SELECT count(*) FROM deliveries WHERE status = 'pending'").pluck().get() as number;
    } finally {
      db.close();
    }
  };
  while (pendingNow() > 0) await Promise.race([once(sink, "request"), delay(200)]);
  again.process.kill("SIGTERM");
  expect(await again.exited).toBe(0);
  await sink.close();
  const pending = pendingNow();
  const ids = sink.received.map((r) => r.json.id as string);
  const duplicates = ids.length - new Set(ids).size;
  process.stdout.write(
    `delivery crash: ${acked.size} acknowledged, ${deliveredBeforeRestart} delivered before kill -9, ` +
      `${new Set(ids).size} delivered in all, ${duplicates} delivered twice, ${pending} pending\n`,
  );
  expect([...acked].filter((id) => !seen().has(id))).toEqual([]);
  expect(pending).toBe(0);
});
