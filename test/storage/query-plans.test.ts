// The reads behind the console's pages and the API's lists stay cheap however many events are
// stored: each statement a read runs is served by an index, and none scans or sorts a table that
// grows with traffic whole. Checked on the plans the database makes (SQLite's EXPLAIN QUERY PLAN;
// PostgreSQL's EXPLAIN with sequential scans disabled, on tables with enough rows), for the
// statements the store really runs, caught as it runs them. Behaviour, not timings:
// `npm run bench:console` measures them at a million events.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Store, TenantStore } from "../../src/storage/port.js";
import { TEST_STORE } from "../support/app.js";
import { storeHarness } from "./conformance/harness.js";
import {
  BIG_TABLES,
  catchPostgres,
  catchSqlite,
  type PlanStep,
  postgresPlan,
  sqlitePlan,
  statementsOf,
} from "./query-plans.js";

// Every connection the store opens reports its queries to the catcher.
vi.mock("postgres", async (importOriginal) => {
  const real = (await importOriginal()) as { default: (...args: unknown[]) => unknown };
  const wrapped = (url: unknown, options: Record<string, unknown> = {}) =>
    real.default(url, { ...options, debug: catchPostgres });
  return { ...real, default: Object.assign(wrapped, real.default) };
});

// SQLite plans without statistics (Switchyard never runs ANALYZE), by the schema alone; PostgreSQL
// plans by statistics, and needs tables big enough for a whole-table sort to cost what it would.
const EVENTS = TEST_STORE === "postgres" ? 200_000 : 20_000;
const T0 = 1_760_000_000_000;
const STEP = 10_000;
const NOW = T0 + EVENTS * STEP;
const idOf = (i: number) => `evt_01K${String(i).padStart(23, "0")}`;

/**
 * Rows past the port, as traffic leaves them: 2 tenants (9 events in 10 the big one's), 3
 * sources, 20 types and a rare one, one delivery per event (1 in 20 dead after 3 attempts, 1 in
 * 50 pending, the rest succeeded after one).
 */
const seed = {
  sqlite: `
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${EVENTS - 1})
    INSERT INTO events (id, tenant, source, external_id, type, original_type, received_at, body)
      SELECT printf('evt_01K%023d', i), CASE WHEN i % 10 = 9 THEN 'small' ELSE 'big' END,
        CASE WHEN i % 20 = 0 THEN 'marketplace' WHEN i % 7 = 0 THEN 'preview' ELSE 'vercel' END, 'x' || i,
        CASE WHEN i % 1000 = 1 THEN 'rare.type' ELSE 'type.' || (i % 20) END,
        CASE WHEN i % 1000 = 1 THEN 'rare.type' ELSE 'type.' || (i % 20) END,
        ${T0} + i * ${STEP}, randomblob(400) FROM n;
    INSERT INTO deliveries (id, tenant, event_id, destination, routes, status, attempts, next_attempt_at, next_trigger,
        deadline_at, created_at, updated_at, last_status)
      SELECT 'dlv_' || substr(id, 5), tenant, id, 'dest-' || (seq % 3), '["r"]',
        CASE WHEN seq % 20 = 3 THEN 'failed' WHEN seq % 50 = 1 THEN 'pending' ELSE 'succeeded' END,
        CASE WHEN seq % 20 = 3 THEN 3 ELSE 1 END, CASE WHEN seq % 50 = 1 THEN received_at + 60000 END, 'initial',
        received_at + 86400000, received_at, received_at + 3600000, 200
      FROM events ORDER BY seq;
    INSERT INTO attempts (delivery_id, number, trigger, started_at, duration_ms, status)
      SELECT d.id, k.k, 'initial', d.created_at + k.k * 1000, 50, 200
      FROM deliveries d JOIN (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) k
        ON k.k <= d.attempts;
    INSERT INTO destination_state (tenant, destination) VALUES ('big', 'dest-0'), ('big', 'dest-1'), ('small', 'dest-0');
  `,
  postgres: `
    INSERT INTO events (id, tenant, source, external_id, type, original_type, received_at, body_text)
      SELECT 'evt_01K' || lpad(i::text, 23, '0'), CASE WHEN i % 10 = 9 THEN 'small' ELSE 'big' END,
        CASE WHEN i % 20 = 0 THEN 'marketplace' WHEN i % 7 = 0 THEN 'preview' ELSE 'vercel' END, 'x' || i,
        CASE WHEN i % 1000 = 1 THEN 'rare.type' ELSE 'type.' || (i % 20) END,
        CASE WHEN i % 1000 = 1 THEN 'rare.type' ELSE 'type.' || (i % 20) END,
        ${T0} + i * ${STEP}, repeat(md5(i::text), 13) FROM generate_series(0, ${EVENTS - 1}) i;
    INSERT INTO deliveries (id, tenant, event_id, destination, routes, status, attempts, next_attempt_at, next_trigger,
        deadline_at, created_at, updated_at, last_status)
      SELECT 'dlv_' || substr(id, 5), tenant, id, 'dest-' || (seq % 3), '["r"]',
        CASE WHEN seq % 20 = 3 THEN 'failed' WHEN seq % 50 = 1 THEN 'pending' ELSE 'succeeded' END,
        CASE WHEN seq % 20 = 3 THEN 3 ELSE 1 END, CASE WHEN seq % 50 = 1 THEN received_at + 60000 END, 'initial',
        received_at + 86400000, received_at, received_at + 3600000, 200
      FROM events ORDER BY seq;
    INSERT INTO attempts (delivery_id, number, trigger, started_at, duration_ms, status)
      SELECT d.id, k, 'initial', d.created_at + k * 1000, 50, 200
      FROM deliveries d CROSS JOIN generate_series(1, 3) k WHERE k <= d.attempts;
    INSERT INTO destination_state (tenant, destination) VALUES ('big', 'dest-0'), ('big', 'dest-1'), ('small', 'dest-0');
    ANALYZE events; ANALYZE deliveries; ANALYZE attempts;
  `,
};

interface Read {
  name: string;
  run(view: TenantStore, store: Store): Promise<unknown>;
  /**
   * Why this read may walk a big table's index (or rows) in its order from one end: it stops
   * when the page is full, so its cost is the page's, not the table's.
   */
  walks?: string;
  /** A statement of this read that may sort, and why: what it sorts an index condition bounds. */
  sorts?: { statement: RegExp; why: string };
  /** What PostgreSQL's planner may choose instead, where its statistics make it cheaper. */
  postgres?: { walks?: string; sorts?: { statement: RegExp; why: string } };
}

const PG_WALK =
  "the planner walks deliveries newest first (their heap is in that order) and stops at the page's end";

const page = 51;
const READS: Read[] = [
  {
    name: "events, first page",
    run: (v) => v.listEvents({ limit: page }),
    walks: "newest first on the id index, stopping at the page's end",
  },
  { name: "events, a deep page by cursor", run: (v) => v.listEvents({ before: idOf(10_000), limit: page }) },
  {
    name: "events by type",
    run: (v) => v.listEvents({ type: "type.3", limit: page }),
    walks: "newest first on the id index, stopping at the page's end",
  },
  {
    name: "events by source",
    run: (v) => v.listEvents({ source: "marketplace", limit: page }),
    walks: "newest first on the id index, stopping at the page's end",
  },
  { name: "events since a time", run: (v) => v.listEvents({ since: NOW - 100 * STEP, limit: page }) },
  {
    name: "events by a type glob",
    run: (v) => v.listEvents({ typeGlob: { glob: "type.1*", known: ["type.1", "type.10"] }, limit: page }),
    walks: "newest first on the id index, stopping at the page's end",
  },
  {
    name: "events in a time range",
    run: (v) => v.listEvents({ since: NOW - 2_000 * STEP, until: NOW - 1_000 * STEP, limit: page }),
  },
  {
    name: "a payload search",
    run: (v) => v.searchEvents({ text: "needle", scanLimit: 2_000, limit: page }),
    walks: "newest first on the id index, stopping after the search's bound of events",
    sorts: { statement: /WITH scanned/, why: "the page's matches, at most a page of them, in order" },
  },
  {
    name: "the overview's minutes",
    run: (v) => v.activityByMinute(NOW - 60 * 60_000, NOW),
    sorts: {
      statement: /GROUP BY/,
      why: "the window's events and attempts, found on the id and start-time indexes, counted per minute",
    },
  },
  {
    name: "the overview's pending and dead counts",
    run: (v) => Promise.all([v.countDeliveries("pending"), v.countDeliveries("failed")]),
  },
  {
    name: "an event's page",
    async run(v) {
      await v.getEvent(idOf(5_003));
      for (const d of await v.listDeliveries({ eventId: idOf(5_003), limit: 50 })) await v.getDelivery(d.id);
    },
    sorts: { statement: /d\.event_id = /, why: "an event's few deliveries, found by its id" },
  },
  {
    name: "dead letters",
    run: (v) => v.listDeliveries({ status: "failed", limit: page }),
    postgres: { walks: PG_WALK },
  },
  {
    name: "dead letters, next page",
    run: (v) =>
      v.listDeliveries({
        status: "failed",
        before: `dlv_01K${String(10_003).padStart(23, "0")}`,
        limit: page,
      }),
  },
  {
    name: "dead letters by destination and type",
    run: (v) => v.listDeliveries({ status: "failed", destination: "dest-1", type: "type.3", limit: page }),
    postgres: { walks: PG_WALK },
  },
  {
    name: "dead letters by time",
    run: (v) =>
      v.listDeliveries({
        status: "failed",
        since: NOW - 5_000 * STEP,
        until: NOW - 4_000 * STEP,
        limit: page,
      }),
    postgres: {
      sorts: { statement: /updated_at </, why: "the dead letters of the window, found on the status index" },
    },
  },
  {
    name: "bulk replay's dry run",
    run: (v) => v.requeueDeliveries({ status: "failed", dryRun: true }, NOW, () => NOW + 1),
  },
  {
    name: "destinations' health",
    run: (v) =>
      Promise.all([
        v.listDestinationStates(),
        v.pendingByDestination(),
        v.recentAttempts(NOW - 360 * STEP, 10_000),
      ]),
    sorts: { statement: /GROUP BY destination/, why: "the pending deliveries, grouped by destination" },
  },
  {
    name: "a destination's newest deliveries",
    run: (v) => v.listDeliveries({ destination: "dest-1", limit: 20 }),
    walks: "deliveries newest first, stopping at the page's end",
  },
  {
    name: "deliveries by status",
    run: (v) => v.listDeliveries({ status: "succeeded", limit: page }),
    postgres: { walks: PG_WALK },
  },
  {
    name: "event stream resume",
    async run(v) {
      const at = await v.streamPositionOf(idOf(2_000));
      if (at !== null) await v.readStream(at, 100);
    },
  },
  {
    name: "event stream from a time",
    run: (v) => v.streamPositionAt(T0 + 2_000 * STEP),
    sorts: {
      statement: /ORDER BY w\.xact/,
      why: "the first events at the time (a window of them), in stream order",
    },
  },
];

const harness = storeHarness();
let store: Store;
let explain: (s: { sql: string; params: unknown[] }) => Promise<PlanStep[]>;
let release = () => {};

beforeAll(async () => {
  if (harness.dialect === "sqlite") release = catchSqlite();
  const fresh = await harness.fresh();
  store = fresh.store;
  await fresh.exec(seed);
  const schema = new URL(fresh.url).searchParams.get("schema");
  explain =
    harness.dialect === "sqlite"
      ? async (s) => sqlitePlan(fresh.url.slice("sqlite:".length), s)
      : (s) => postgresPlan(schema as string, s);
}, 120_000);
afterAll(async () => {
  release();
  await harness.cleanup();
});

describe(`query plans on ${harness.dialect}, at ${EVENTS.toLocaleString("en-US")} events`, () => {
  it.each(READS)("$name: an index serves it, nothing big is scanned or sorted whole", async (read) => {
    // The store's reads: not transaction control, nor the driver's own look at the catalog.
    const ran = (await statementsOf(() => read.run(store.forTenant("big"), store))).filter(
      (s) => /^\s*(SELECT|WITH)\b/i.test(s.sql) && !/pg_catalog\./.test(s.sql),
    );
    expect(ran.length).toBeGreaterThan(0);
    const allowed = harness.dialect === "postgres" ? { ...read, ...read.postgres } : read;
    for (const statement of ran) {
      const plan = await explain(statement);
      const said = `${statement.sql.replace(/\s+/g, " ").trim()}\n  ${plan.map((p) => p.text).join("\n  ")}`;
      const big = plan.filter((p) => p.table !== null && BIG_TABLES.includes(p.table));
      // A walk in the page's order (SQLite's own rowid order included) stops at the page's end;
      // what would read a big table whole is a scan that is not that walk, or a sort after it.
      if (!allowed.walks)
        expect(
          big.filter((p) => p.fullScan || p.orderedWalk),
          said,
        ).toEqual([]);
      if (!allowed.sorts?.statement.test(statement.sql))
        expect(
          plan.filter((p) => p.sort),
          said,
        ).toEqual([]);
    }
  });
});
