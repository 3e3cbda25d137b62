import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ClaimedDelivery } from "../src/core/delivery-types.js";
import type { IncomingEvent } from "../src/core/types.js";
import { StoreUnavailableError } from "../src/storage/port.js";
import { type Connection, openWriter } from "../src/storage/sqlite/connection.js";
import { migrate } from "../src/storage/sqlite/migrations.js";
import { type ClaimWire, decodeClaim, encodeOutcomes, packEvents } from "../src/storage/sqlite/wire.js";
import { createWriteGroups, type WriteRequest } from "../src/storage/sqlite/write-ops.js";
import { SqliteWriter } from "../src/storage/sqlite/writer.js";
import { delivery, event, outcome, T, want } from "./storage/conformance/harness.js";
import { tempDir } from "./support/app.js";

const temp = tempDir();
const open: Connection[] = [];
afterEach(() => {
  for (const db of open.splice(0)) db.close();
});

function writer() {
  const db = openWriter(join(temp.dir, `groups-${open.length}-${Date.now()}.db`));
  open.push(db);
  migrate(db);
  return { db, groups: createWriteGroups(db) };
}

const insert = (events: IncomingEvent[]): WriteRequest => ({
  op: "insertEvents",
  args: [packEvents(events)],
});
const stored = (db: Connection) =>
  (db.prepare("SELECT external_id FROM events ORDER BY external_id").pluck().all() as string[]).join(",");

describe("SQLite write groups", () => {
  it("commits the ops of a group together; an op that fails is undone alone", async () => {
    const { db, groups } = writer();
    const bad = event(T, { externalId: "b", type: null as unknown as string });
    const { results, wrote } = groups.run([
      insert([event(T, { externalId: "a", deliveries: [delivery("d", T)] })]),
      insert([event(T, { externalId: "b1" }), bad]),
      insert([event(T, { externalId: "c" })]),
      { op: "claimDeliveries", args: [[want("d", 10)], T, T + 60_000, "me"] },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, true, true]);
    expect(results[1]).toMatchObject({ ok: false, error: { message: expect.stringMatching(/NOT NULL/) } });
    // The failed op's first event went with it; the claim saw the delivery planned before it.
    expect(stored(db)).toBe("a,c");
    const claimed = results[3] as { ok: true; value: ClaimWire };
    expect(decodeClaim(claimed.value).deliveries.map((d) => d.destination)).toEqual(["d"]);
    expect(wrote).toBe(true);
    expect(db.inTransaction).toBe(false);
  });

  it("says whether a group committed a change: one that wrote nothing tells nothing of the disk", () => {
    const { groups } = writer();
    expect(groups.run([{ op: "claimDeliveries", args: [[want("d", 10)], T, T + 60_000, "me"] }]).wrote).toBe(
      false,
    );
    expect(groups.run([{ op: "probe", args: [T] }]).wrote).toBe(true);
    expect(groups.run([{ op: "probe", args: [T + 1] }]).wrote).toBe(true);
  });

  it("syncs a group in full when any op in it is acknowledged to someone, and only then", () => {
    const { db, groups } = writer();
    const level = () => db.pragma("synchronous", { simple: true });
    groups.run([insert([event(T, { externalId: "a", deliveries: [delivery("d", T)] })])]);
    expect(level()).toBe(2); // FULL
    const ids = db.prepare("SELECT id FROM deliveries").pluck().all() as string[];
    groups.run([{ op: "recordOutcomes", args: [encodeOutcomes([outcome(ids[0] as string)]), T] }]);
    expect(level()).toBe(1); // NORMAL
    groups.run([{ op: "releaseLeases", args: [null] }, insert([event(T, { externalId: "b" })])]);
    expect(level()).toBe(2);
  });

  it("reports as committed exactly the ops whose writes are stored when the disk fills mid-group", () => {
    const { db, groups } = writer();
    groups.run([insert([event(T, { externalId: "first" })])]);
    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`); // room for a small event, not for 64 KiB
    const big = Buffer.alloc(64 * 1024, 0x20);
    const { results } = groups.run([
      insert([event(T, { externalId: "small" })]),
      insert([event(T, { externalId: "big", body: big })]),
      insert([event(T, { externalId: "after" })]),
    ]);
    expect(results[1]).toMatchObject({ ok: false, error: { code: "SQLITE_FULL" } });
    const have = new Set(stored(db).split(","));
    expect(have.has("first")).toBe(true);
    for (const [i, name] of ["small", "big", "after"].entries()) expect(have.has(name)).toBe(results[i]?.ok);
    expect(db.inTransaction).toBe(false);
  });

  it("runs an op alone in its group as its own transaction: all of it or, on an error, none", () => {
    const { db, groups } = writer();
    const bad = event(T, { externalId: "b", type: null as unknown as string });
    const failed = groups.run([insert([event(T, { externalId: "a", deliveries: [delivery("d", T)] }), bad])]);
    expect(failed.results[0]).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/NOT NULL/) },
    });
    expect(failed.wrote).toBe(false);
    expect(stored(db)).toBe("");
    expect(db.prepare("SELECT count(*) FROM deliveries").pluck().get()).toBe(0);
    expect(db.inTransaction).toBe(false);

    const pages = db.pragma("page_count", { simple: true }) as number;
    db.pragma(`max_page_count = ${pages + 2}`);
    const full = groups.run([insert([event(T, { externalId: "big", body: Buffer.alloc(64 * 1024, 0x20) })])]);
    expect(full.results[0]).toMatchObject({ ok: false, error: { code: "SQLITE_FULL" } });
    expect(db.inTransaction).toBe(false);
    db.pragma(`max_page_count = ${pages + 1000}`);

    const ok = groups.run([insert([event(T, { externalId: "a", deliveries: [delivery("d", T)] })])]);
    expect(ok.results[0]).toMatchObject({ ok: true, value: [{ duplicate: false }] });
    expect(ok.wrote).toBe(true);
    expect(stored(db)).toBe("a");
    expect(db.pragma("synchronous", { simple: true })).toBe(2); // FULL: acknowledged to the sender
  });
});

describe("SQLite writer thread", () => {
  it("sends the ops called while a group runs as the next group, each answered on its own", async () => {
    const path = join(temp.dir, `thread-${Date.now()}.db`);
    const { writer: thread } = await SqliteWriter.start(path);
    const packed = (events: IncomingEvent[]) => {
      const p = packEvents(events);
      return thread.callTransferring("insertEvents", [p.bodies.buffer as ArrayBuffer], p);
    };
    const first = packed([event(T, { externalId: "a" })]); // goes at once
    // These three wait for the first group's reply, then go in one message.
    const second = packed([event(T, { externalId: "b" })]);
    const bad = packed([event(T, { externalId: "c", type: null as unknown as string })]);
    const third = packed([event(T, { externalId: "d" })]);
    const settled = await Promise.allSettled([first, second, bad, third]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    // A row the database refuses is that write's own error, not the store being unavailable.
    const refused = (settled[2] as PromiseRejectedResult).reason as Error & { code?: string };
    expect(refused).not.toBeInstanceOf(StoreUnavailableError);
    expect(refused.code).toBe("SQLITE_CONSTRAINT_NOTNULL");
    // close() waits for what was called before it.
    const last = packed([event(T, { externalId: "e" })]);
    const late = packed([event(T, { externalId: "f" })]);
    await thread.close();
    await expect(Promise.all([last, late])).resolves.toHaveLength(2);
    const db = openWriter(path);
    open.push(db);
    expect(stored(db)).toBe("a,b,d,e,f");
  });

  it("gives back the bodies of the deliveries claimed in one group byte for byte", async () => {
    const { writer: thread } = await SqliteWriter.start(join(temp.dir, `bodies-${Date.now()}.db`));
    const bodies = {
      a: [Buffer.alloc(0), Buffer.from("x"), randomBytes(2048), randomBytes(1024 * 1024)],
      b: [Buffer.from("{}\n"), randomBytes(300 * 1024)],
    };
    const events = Object.entries(bodies).flatMap(([destination, list]) =>
      list.map((body) => event(T, { body, deliveries: [delivery(destination, T)] })),
    );
    const p = packEvents(events);
    const inserted = thread.callTransferring("insertEvents", [p.bodies.buffer as ArrayBuffer], p); // goes at once
    // These wait for the insert's reply, then go as one group.
    const claims = [
      thread.call("claimDeliveries", [want("a", 10)], T, T + 60_000, "me"),
      thread.call("probe", T),
      thread.call("claimDeliveries", [want("b", 10)], T, T + 60_000, "me"),
    ];
    await inserted;
    const [a, , b] = (await Promise.all(claims)) as [ClaimWire, unknown, ClaimWire];
    await thread.close();
    const claimed: ClaimedDelivery[] = [...decodeClaim(a).deliveries, ...decodeClaim(b).deliveries];
    expect(claimed).toHaveLength(events.length);
    for (const e of events) {
      const got = claimed.find((d) => d.eventId === e.id);
      expect(got?.body).toBeInstanceOf(Uint8Array);
      expect(got?.body.byteLength).toBe(e.body.byteLength);
      expect(Buffer.compare(Buffer.from(got?.body ?? []), e.body)).toBe(0);
    }
  });
});
