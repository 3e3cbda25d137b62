// The event stream on a shared PostgreSQL store, where transactions commit out of seq order: a
// reader must not pass an event that a transaction still running can commit before it.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newEventId } from "../../src/core/ids.js";
import type { StreamPosition, TenantStore } from "../../src/storage/port.js";
import { PostgresStore } from "../../src/storage/postgres/store.js";
import { TEST_POSTGRES_URL } from "../support/app.js";
import { event, T } from "./conformance/harness.js";

const schema = `sy_test_${randomBytes(6).toString("hex")}`;
const admin = postgres(TEST_POSTGRES_URL, { onnotice: () => {}, max: 1 });
/** Another session on the schema: a transaction of another node, held open by the test. */
const other = postgres(TEST_POSTGRES_URL, {
  onnotice: () => {},
  max: 2,
  connection: { search_path: schema },
});
const opened: PostgresStore[] = [];

async function open(): Promise<PostgresStore> {
  const store = await PostgresStore.open(TEST_POSTGRES_URL, { schema });
  opened.push(store);
  return store;
}

let store: PostgresStore;
beforeAll(async () => {
  store = await open();
});

afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await other.end();
  await admin.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.end();
});

/** An event row as another node's transaction inserts it; `seq` given when it was drawn before. */
function insertRow(tx: postgres.ReservedSql, id: string, seq?: number) {
  return tx<{ seq: string }[]>`
    INSERT INTO events (${tx.unsafe(seq === undefined ? "" : "seq, ")}id, tenant, source, type, original_type, received_at, body_text)
    VALUES (${tx.unsafe(seq === undefined ? "" : `${seq}, `)}${id}, 'default', 'vercel', 'deployment.created',
      'deployment.created', ${T}, '{}')
    RETURNING seq
  `;
}

async function seqOf(id: string): Promise<number> {
  const [row] = await other<{ seq: string }[]>`SELECT seq FROM events WHERE id = ${id}`;
  return Number(row?.seq);
}

/**
 * Reads on from `from` until `count` events came: a transaction of another session on the server,
 * older than the events, holds them back until it ends (transaction ids are the cluster's).
 */
async function readUntil(view: TenantStore, from: StreamPosition, count: number) {
  const ids: string[] = [];
  let at = from;
  while (ids.length < count) {
    const page = await view.readStream(at, 50);
    ids.push(...page.events.map((e) => e.event.id));
    at = page.reached;
  }
  return { ids, reached: at };
}

/** Reads on from `from` until a page is not full: the ids read and where reading reached. */
async function readOn(view: TenantStore, from: StreamPosition) {
  const ids: string[] = [];
  let at = from;
  for (;;) {
    const page = await view.readStream(at, 50);
    ids.push(...page.events.map((e) => e.event.id));
    at = page.reached;
    if (page.events.length < 50) return { ids, reached: at };
  }
}

describe("the event stream on PostgreSQL", () => {
  it("holds back an event committed while a lower seq is still uncommitted, then reads both in order", async () => {
    const view = store.forTenant("default");
    const head = await store.streamHead();
    const held = await other.reserve();
    try {
      await held`BEGIN`;
      const lowId = newEventId(T);
      await insertRow(held, lowId);
      const high = event(T + 1);
      await store.insertEvents([high]);
      const [lowSeq] = await held<{ seq: string }[]>`SELECT seq FROM events WHERE id = ${lowId}`;
      expect(Number(lowSeq?.seq)).toBeLessThan(await seqOf(high.id));

      // The higher one is committed, but the lower one may still commit before it: not yet.
      const early = await readOn(view, head);
      expect(early.ids).toEqual([]);

      await held`COMMIT`;
      const late = await readUntil(view, early.reached, 2);
      expect(late.ids).toEqual([lowId, high.id]);
      expect((await readOn(view, late.reached)).ids).toEqual([]);
    } finally {
      held.release();
    }
  });

  it("misses nothing when a transaction drew its seq before it had a transaction id", async () => {
    const view = store.forTenant("default");
    const head = await store.streamHead();
    const held = await other.reserve();
    try {
      await held`BEGIN`;
      // A seq drawn by a transaction that has written nothing yet: it has no transaction id, so
      // no horizon of running transactions can hold back the seqs above it.
      const [drawn] = await held<{ seq: string }[]>`
        SELECT nextval(pg_get_serial_sequence('events', 'seq')) AS seq
      `;
      const [xid] = await held<
        { xid: string | null }[]
      >`SELECT pg_current_xact_id_if_assigned()::text AS xid`;
      expect(xid?.xid).toBeNull();

      const high = event(T + 1);
      await store.insertEvents([high]);
      const first = await readUntil(view, head, 1);
      expect(first.ids).toEqual([high.id]);

      // The lower seq commits after a reader read past the higher one.
      const lowId = newEventId(T);
      await insertRow(held, lowId, Number(drawn?.seq));
      await held`COMMIT`;
      expect(await seqOf(lowId)).toBeLessThan(await seqOf(high.id));
      const second = await readUntil(view, first.reached, 1);
      expect(second.ids).toEqual([lowId]);
    } finally {
      held.release();
    }
  });

  it("reads every event of two nodes committing side by side exactly once, while they commit", async () => {
    const nodeB = await open();
    const view = store.forTenant("default");
    const head = await store.streamHead();
    const perNode = 300;
    const write = async (node: PostgresStore) => {
      const stored: string[] = [];
      for (let i = 0; i < perNode; i += 5) {
        const batch = Array.from({ length: 5 }, (_, j) => event(T + i + j));
        await node.insertEvents(batch);
        stored.push(...batch.map((e) => e.id));
      }
      return stored;
    };
    const writing = Promise.all([write(store), write(nodeB)]);
    let done = false;
    void writing.then(() => {
      done = true;
    });
    const read: string[] = [];
    let at = head;
    // Reads as the writes go on, and on until every event came.
    while (!done || read.length < 2 * perNode) {
      const page = await view.readStream(at, 40);
      read.push(...page.events.map((e) => e.event.id));
      at = page.reached;
    }
    const [a, b] = await writing;
    expect((await view.readStream(at, 40)).events).toEqual([]);
    expect(read).toHaveLength(2 * perNode);
    expect(new Set(read)).toEqual(new Set([...a, ...b]));
  });
});
