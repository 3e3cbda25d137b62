// What only a shared PostgreSQL store does: several nodes on one database. The port's common
// behaviour is in conformance/.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CIRCUIT_POLICY } from "../../src/core/circuit-breaker.js";
import { openStore } from "../../src/storage/open.js";
import { type ClaimRequest, StoreUnavailableError } from "../../src/storage/port.js";
import { migrations } from "../../src/storage/postgres/migrations.js";
import { PostgresStore } from "../../src/storage/postgres/store.js";
import { TEST_POSTGRES_URL } from "../support/app.js";
import { delivery, event, ids, outcome, T, want } from "./conformance/harness.js";

const admin = postgres(TEST_POSTGRES_URL, { onnotice: () => {}, max: 1 });
const schemas: string[] = [];
const opened: PostgresStore[] = [];

/** A schema name no other test uses; dropped when the file ends. */
function freshSchema(): string {
  const name = `sy_test_${randomBytes(6).toString("hex")}`;
  schemas.push(name);
  return name;
}

async function open(schema: string): Promise<PostgresStore> {
  const store = await PostgresStore.open(TEST_POSTGRES_URL, { schema });
  opened.push(store);
  return store;
}

/** Two nodes on one fresh schema. */
async function twoNodes(): Promise<[PostgresStore, PostgresStore]> {
  const schema = freshSchema();
  return [await open(schema), await open(schema)];
}

afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  for (const s of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await admin.end();
});

let store: PostgresStore;
beforeAll(async () => {
  store = await open(freshSchema());
});

describe("PostgresStore", () => {
  it("declares several nodes may share it", () => {
    expect(store.capabilities).toEqual({
      dialect: "postgres",
      multiNode: true,
      enforcesLimitsInClaim: true,
      releaseAllLeasesAtStart: false,
      soleClaimer: false,
      sharedDestinationStates: true,
      ingestCommitsInFlight: 2,
    });
    expect(store.appliedMigrations).toEqual(migrations.map((m) => m.version));
  });

  it("stores a UTF-8 body as text and any other as bytea, one column each", async () => {
    const schema = freshSchema();
    const s = await open(schema);
    const json = event(T, { body: Buffer.from('{"type":"deployment.created","name":"café"}') });
    const binary = event(T, { body: Buffer.from([0x7b, 0xff, 0x7d]) });
    await s.insertEvents([json, binary]);
    const rows = await admin.unsafe(
      `SELECT id, body IS NULL AS no_bytes, body_text FROM "${schema}".events ORDER BY id`,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(json.id)).toMatchObject({
      no_bytes: true,
      body_text: '{"type":"deployment.created","name":"café"}',
    });
    expect(byId.get(binary.id)).toMatchObject({ no_bytes: false, body_text: null });
  });

  it("compresses a large body with lz4 where the server has it, and reads it back whole", async () => {
    const schema = freshSchema();
    const s = await open(schema);
    const text = JSON.stringify({ type: "deployment.created", meta: "x".repeat(4000) });
    const bytes = Buffer.concat([Buffer.from(text), Buffer.from([0xff])]);
    const asText = event(T, { body: Buffer.from(text) });
    const asBytes = event(T, { body: bytes });
    await s.insertEvents([asText, asBytes]);
    // Before 14, PostgreSQL has neither lz4 nor a way to ask how a value is compressed.
    const [server] = await admin<{ version: number }[]>`
      SELECT current_setting('server_version_num')::integer AS version
    `;
    if ((server?.version ?? 0) >= 140000) {
      // Whether this server can compress with lz4 at all (built with it).
      const lz4 = await admin
        .unsafe(`CREATE TEMP TABLE lz4_probe (x text COMPRESSION lz4); DROP TABLE lz4_probe`)
        .simple()
        .then(
          () => true,
          () => false,
        );
      const rows = await admin.unsafe(
        `SELECT id, pg_column_compression(body_text) AS text, pg_column_compression(body) AS bytes FROM "${schema}".events`,
      );
      const how = lz4 ? "lz4" : "pglz";
      expect(new Map(rows.map((r) => [r.id, [r.text, r.bytes]]))).toEqual(
        new Map([
          [asText.id, [how, null]],
          [asBytes.id, [null, how]],
        ]),
      );
    }
    const tenant = s.forTenant("default");
    expect(Buffer.from((await tenant.getEvent(asText.id))?.body ?? [])).toEqual(Buffer.from(text));
    expect(Buffer.from((await tenant.getEvent(asBytes.id))?.body ?? [])).toEqual(bytes);
  });

  it("is what openStore opens for postgres:// and postgresql:// urls", async () => {
    // An unreachable server, so the test never migrates the default schema.
    for (const scheme of ["postgres", "postgresql"]) {
      await expect(openStore(`${scheme}://postgres@127.0.0.1:1/test`)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
    }
  });

  it("never hands one delivery to two nodes claiming at once", async () => {
    const [nodeA, nodeB] = await twoNodes();
    const planned = Array.from({ length: 60 }, (_, i) => delivery("race", T + i));
    await nodeA.insertEvents(planned.map((d) => event(T, { deliveries: [d] })));
    await nodeA.insertEvents([
      event(T, { deliveries: [delivery("race-fifo", T), delivery("race-fifo", T)] }),
    ]);
    const claimedBy = async (node: PostgresStore, owner: string) => {
      const got: string[] = [];
      for (;;) {
        const batch = await node.claimDeliveries(
          [want("race", 7), want("race-fifo", 1, true)],
          T + 1000,
          T + 60_000,
          owner,
        );
        if (batch.deliveries.length === 0) return got;
        got.push(...ids(batch.deliveries));
      }
    };
    const [a, b] = await Promise.all([claimedBy(nodeA, "a"), claimedBy(nodeB, "b")]);
    const all = [...a, ...b];
    expect(new Set(all).size).toBe(all.length);
    // Every "race" delivery once, and exactly one fifo head between them.
    expect(all.length).toBe(planned.length + 1);
    expect(all).toEqual(expect.arrayContaining(ids(planned)));
  });

  it("holds maxConcurrency across nodes, counting what every node has in flight", async () => {
    const [nodeA, nodeB] = await twoNodes();
    const planned = Array.from({ length: 20 }, () => delivery("cap", T));
    await nodeA.insertEvents([event(T, { deliveries: planned })]);
    const req: ClaimRequest = {
      tenant: "default",
      destination: "cap",
      limit: 10,
      fifo: false,
      maxConcurrency: 5,
      rate: null,
    };
    const [a, b] = await Promise.all([
      nodeA.claimDeliveries([req], T, T + 60_000, "a"),
      nodeB.claimDeliveries([req], T, T + 60_000, "b"),
    ]);
    expect(a.deliveries.length + b.deliveries.length).toBe(5);
    const third = await nodeB.claimDeliveries([req], T + 1, T + 60_000, "b");
    expect(third).toMatchObject({ deliveries: [], held: [{ destination: "cap", until: null }] });
    // Two finish on node A: node B may start two more.
    const done = a.deliveries.length >= 2 ? a.deliveries : b.deliveries;
    const finisher = done === a.deliveries ? nodeA : nodeB;
    await finisher.recordOutcomes(
      done.slice(0, 2).map((d) => outcome(d.id)),
      T + 2,
    );
    expect((await nodeB.claimDeliveries([req], T + 3, T + 60_000, "b")).deliveries).toHaveLength(2);
    // A dead node's leases stop counting once they expire.
    expect((await nodeB.claimDeliveries([req], T + 60_001, T + 120_000, "b")).deliveries).toHaveLength(5);
  });

  it("draws one shared rate-limit bucket for all nodes", async () => {
    const [nodeA, nodeB] = await twoNodes();
    await nodeA.insertEvents([
      event(T, { deliveries: Array.from({ length: 30 }, () => delivery("rate", T)) }),
    ]);
    const req: ClaimRequest = {
      tenant: "default",
      destination: "rate",
      limit: 10,
      fifo: false,
      maxConcurrency: 100,
      rate: { count: 6, perMs: 1000 },
    };
    const a = await nodeA.claimDeliveries([req], T, T + 60_000, "a");
    const b = await nodeB.claimDeliveries([req], T, T + 60_000, "b");
    expect(a.deliveries).toHaveLength(6);
    // The bucket is empty: node B waits for the next token, a sixth of a second away.
    expect(b).toMatchObject({ deliveries: [], held: [{ destination: "rate", until: T + 167 }] });
    expect((await nodeB.claimDeliveries([req], T + 500, T + 60_000, "b")).deliveries).toHaveLength(3);
    expect((await nodeA.claimDeliveries([req], T + 500, T + 60_000, "a")).deliveries).toHaveLength(0);
  });

  it("keeps one circuit per destination across nodes: open stops every node, half-open lets one probe through", async () => {
    const [nodeA, nodeB] = await twoNodes();
    const circuit = { ...DEFAULT_CIRCUIT_POLICY, threshold: 2 };
    await nodeA.insertEvents([event(T, { deliveries: Array.from({ length: 10 }, () => delivery("cb", T)) })]);
    const req: ClaimRequest = {
      tenant: "default",
      destination: "cb",
      limit: 10,
      fifo: false,
      maxConcurrency: 10,
      rate: null,
    };
    const a = (await nodeA.claimDeliveries([{ ...req, limit: 1 }], T, T + 60_000, "a")).deliveries;
    const b = (await nodeB.claimDeliveries([{ ...req, limit: 1 }], T, T + 60_000, "b")).deliveries;
    const fail = (id: string, at: number) =>
      outcome(id, {
        status: "pending",
        nextAttemptAt: at,
        destinationChange: { tenant: "default", destination: "cb", ok: false, at, disable: null, circuit },
      });
    // One failure on each node: together they reach the threshold.
    await Promise.all([
      nodeA.recordOutcomes([fail((a[0] as { id: string }).id, T + 1)], T + 1),
      nodeB.recordOutcomes([fail((b[0] as { id: string }).id, T + 1)], T + 1),
    ]);
    const openUntil = T + 1 + circuit.baseCooldownMs;
    const held = await nodeB.claimDeliveries([req], T + 2, T + 60_000, "b");
    expect(held).toMatchObject({ deliveries: [], held: [{ destination: "cb", until: openUntil }] });
    expect(held.states[0]).toMatchObject({ consecutiveFailures: 2, circuitOpenUntil: openUntil });
    // Half-open: one probe between both nodes.
    const probes = await Promise.all([
      nodeA.claimDeliveries([req], openUntil, openUntil + 60_000, "a"),
      nodeB.claimDeliveries([req], openUntil, openUntil + 60_000, "b"),
    ]);
    expect(probes.reduce((n, p) => n + p.deliveries.length, 0)).toBe(1);
  });

  it("holds a disabled destination on every node", async () => {
    const [nodeA, nodeB] = await twoNodes();
    await nodeA.insertEvents([event(T, { deliveries: [delivery("off", T)] })]);
    const [state] = (await nodeA.claimDeliveries([want("off", 0)], T, T, "a")).states;
    expect(state).toBeUndefined();
    await nodeA.forTenant("default").saveDestinationState({
      tenant: "default",
      destination: "off",
      state: "disabled",
      disabledReason: "manual",
      consecutiveFailures: 0,
      circuitOpenUntil: null,
      circuitCooldownMs: 0,
      lastSuccessAt: null,
      lastFailureAt: null,
    });
    const b = await nodeB.claimDeliveries([want("off", 5)], T, T + 60_000, "b");
    expect(b).toMatchObject({ deliveries: [], held: [{ destination: "off", until: null }] });
    expect(b.states[0]).toMatchObject({ state: "disabled" });
  });

  it("stores a repeat sent to two nodes at once only once", async () => {
    const [nodeA, nodeB] = await twoNodes();
    const keys = Array.from({ length: 20 }, (_, i) => `concurrent-${i}`);
    const send = (node: PostgresStore) =>
      node.insertEvents(
        keys.map((externalId) => event(T, { externalId, deliveries: [delivery("concurrent", T)] })),
      );
    const [a, b] = await Promise.all([send(nodeA), send(nodeB)]);
    keys.forEach((_, i) => {
      expect(a[i]?.eventId).toBe(b[i]?.eventId);
      expect([a[i]?.duplicate, b[i]?.duplicate].sort()).toEqual([false, true]);
    });
    expect(
      await nodeA.forTenant("default").listDeliveries({ destination: "concurrent", limit: 100 }),
    ).toHaveLength(keys.length);
  });

  it("migrates a fresh schema from two nodes starting together", async () => {
    const fresh = freshSchema();
    const [a, b] = await Promise.all([open(fresh), open(fresh)]);
    expect([...a.appliedMigrations, ...b.appliedMigrations].sort((x, y) => x - y)).toEqual(
      migrations.map((m) => m.version),
    );
    await a.insertEvents([event(T)]);
    expect(await b.forTenant("default").listEvents({ limit: 10 })).toHaveLength(1);
  });

  it("raises StoreUnavailableError when the server cannot be reached", async () => {
    await expect(PostgresStore.open("postgres://postgres@127.0.0.1:1/test")).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });
});
