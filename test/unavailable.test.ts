// Runs on SQLite only: another connection holds SQLite's write lock to make commits fail; test/hostile/readiness.test.ts covers PostgreSQL.

import { expect, it } from "vitest";
import Database from "../src/storage/sqlite/driver.js";
import { sampleEvent } from "../src/vercel/index.js";
import { startTestApp, VERCEL_SECRETS } from "./support/app.js";
import { sendVercel } from "./support/send.js";

it("answers 503 unavailable while the store cannot commit, and recovers after", {
  timeout: 30_000,
}, async () => {
  const secret = VERCEL_SECRETS[0] as string;
  const app = await startTestApp();
  // Another process holding the write lock past the busy timeout: the commit fails for real.
  const blocker = new Database(app.dbPath);
  try {
    blocker.exec("BEGIN IMMEDIATE");
    const event = sampleEvent("deployment.created");
    const refused = await sendVercel(app.url, event, secret);
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe("unavailable");
    expect(refused.headers.get("retry-after")).toBe("5");
    blocker.exec("ROLLBACK");

    // Vercel retries the same event: nothing was acknowledged, so it is stored now, once.
    const retried = await sendVercel(app.url, event, secret);
    expect(retried.status).toBe(200);
    expect(retried.body.duplicate).toBe(false);
  } finally {
    blocker.close();
    await app.stop();
  }
});
