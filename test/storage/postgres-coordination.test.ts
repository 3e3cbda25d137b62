import { EventEmitter, once } from "node:events";
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { newEventId } from "../../src/core/ids.js";
import { PostgresStore } from "../../src/storage/postgres/store.js";
import { TEST_POSTGRES_URL } from "../support/app.js";

const schema = `sy_test_coord_${Math.random().toString(16).slice(2, 10)}`;
let a: PostgresStore;
let b: PostgresStore;
const admin = postgres(TEST_POSTGRES_URL, { max: 2, onnotice: () => {} });

beforeAll(async () => {
  a = await PostgresStore.open(TEST_POSTGRES_URL, { schema });
  b = await PostgresStore.open(TEST_POSTGRES_URL, { schema });
});
afterAll(async () => {
  await a.close();
  await b.close();
  await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
});

function event(externalId: string, withDelivery: boolean, t = Date.now()) {
  return {
    id: newEventId(t),
    tenant: "default",
    source: "vercel",
    externalId,
    type: "deployment.created",
    originalType: "deployment.created",
    receivedAt: t,
    unknownType: false,
    schemaIssues: [],
    body: Buffer.from("{}"),
    deliveries: withDelivery
      ? [
          {
            id: `dlv_${externalId}`,
            destination: "d",
            routes: ["r"],
            nextAttemptAt: t,
            deadlineAt: t + 60_000,
            trigger: "initial" as const,
          },
        ]
      : [],
  };
}

it("wakes the workers of another node through LISTEN/NOTIFY when a commit creates deliveries", async () => {
  const woken = new EventEmitter();
  let count = 0;
  const stop = await a.subscribeWork(() => {
    count++;
    woken.emit("work");
  });
  try {
    const wake = once(woken, "work");
    await b.insertEvents([event("n1", true)]);
    await wake;
    expect(count).toBe(1);
    // A duplicate creates nothing and announces nothing; the next real delivery does.
    await b.insertEvents([event("n1", true)]);
    await b.insertEvents([event("n2", true)]);
    // Notifications arrive in commit order: once this one is in, every earlier one is too.
    const sentinel = once(woken, "work");
    await admin`SELECT pg_notify('switchyard_work', '')`;
    await sentinel;
    while (count < 3) await once(woken, "work");
    expect(count).toBe(3);
  } finally {
    await stop();
  }
});

it("lets one node purge at a time", async () => {
  await b.insertEvents([event("old", false, Date.now() - 40 * 86_400_000)]);
  const cutoff = Date.now() - 30 * 86_400_000;
  const reserved = await admin.reserve();
  try {
    await reserved`BEGIN`;
    await reserved.unsafe(`SELECT pg_advisory_xact_lock(${0x5357_5052}, hashtext('${schema}'))`);
    // Another node holds the purge lock: this pass is skipped, not queued behind it.
    expect(await b.purge(cutoff)).toEqual({ events: 0, deliveries: 0 });
    await reserved`ROLLBACK`;
    expect(await b.purge(cutoff)).toEqual({ events: 1, deliveries: 0 });
  } finally {
    reserved.release();
  }
});
