import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { newEventId } from "../src/core/ids.js";
import { SqliteStore } from "../src/storage/sqlite/store.js";
import { tempDir } from "./support/app.js";

const temp = tempDir();
afterAll(() => temp.cleanup());

it("claims a delivery again once the lease of a worker that died has expired", async () => {
  const store = await SqliteStore.open(join(temp.dir, "leases.db"));
  try {
    const t = 1_000_000;
    await store.insertEvents([
      {
        id: newEventId(t),
        tenant: "default",
        source: "vercel",
        externalId: "x1",
        type: "deployment.created",
        originalType: "deployment.created",
        receivedAt: t,
        unknownType: false,
        schemaIssues: [],
        body: Buffer.from("{}"),
        deliveries: [
          {
            id: "dlv_1",
            destination: "d",
            routes: ["r"],
            nextAttemptAt: t,
            deadlineAt: t + 86_400_000,
            trigger: "initial",
          },
        ],
      },
    ]);
    const want = [{ destination: "d", limit: 10, fifo: false }];
    const first = await store.claimDeliveries(want, t, t + 60_000, "worker-a");
    expect(first.map((d) => d.id)).toEqual(["dlv_1"]);
    // Worker A dies holding the lease: nobody else may take it until it expires.
    expect(await store.claimDeliveries(want, t + 59_999, t + 120_000, "worker-b")).toEqual([]);
    const again = await store.claimDeliveries(want, t + 60_001, t + 120_000, "worker-b");
    expect(again.map((d) => [d.id, d.attempts])).toEqual([["dlv_1", 0]]);
    // A fifo destination yields its head only while the head is not leased.
    expect(
      await store.claimDeliveries(
        [{ destination: "d", limit: 1, fifo: true }],
        t + 60_002,
        t + 1,
        "worker-c",
      ),
    ).toEqual([]);
  } finally {
    await store.close();
  }
});
