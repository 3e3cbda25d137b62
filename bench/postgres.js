// `npm run bench:postgres`: ingest and delivery on PostgreSQL, with one and with two worker
// processes, beside the same runs on SQLite, in one invocation.
//
// Ingest: one node takes signed events over HTTP at full speed for --seconds (a config without
// routes, so each 200 is one durable event row); events/s is what the load generator saw
// acknowledged. Beside it, under the same load, the durable floor (bench/durable-floor-server.js):
// the least a store-before-ack receiver does, one multi-row insert per batch. Delivery: a backlog of --backlog pending deliveries written straight into the
// database, drained to a sink answering 200 by one worker process (SQLite: the one `all` node it
// allows), then again from a fresh backlog by two worker processes (PostgreSQL only); deliveries/s
// is what reached the sink; beside them, the drain's floor: a plain undici Pool (64 connections)
// POSTing as many 2 KB bodies to the same sink, and its durable floor: the same Pool draining
// them from a queue table in the same store. Nothing is pinned: the database shares the two cores with the nodes,
// the sink and the load generator, as it would on a one-box deployment.
// Flags: --seconds N (ingest window), --backlog N, --url postgres://… (default the test server).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import postgres from "postgres";
import { benchConfig } from "./bench-config.js";
import { killAll, startNode, stop, waitForLine } from "./child-processes.js";
import { startSink } from "./sink-process.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    backlog: { type: "string", default: "100000" },
    url: {
      type: "string",
      default: process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    },
  },
});
const seconds = Number(flags.seconds);
const backlog = Number(flags.backlog);
const secret = "bench-postgres-secret-0123456789";
const work = mkdtempSync(join(tmpdir(), "switchyard-bench-postgres-"));
const cli = join(root, "dist/cli/main.js");
const { sampleEvent } = await import(join(root, "dist/vercel/index.js"));
const admin = postgres(flags.url, { max: 1, onnotice: () => {} });
const schemas = /** @type {string[]} */ ([]);
const log = (/** @type {string} */ text) => process.stderr.write(`${text}\n`);

/** A fresh database: a SQLite file, or a schema of its own on the PostgreSQL server. */
function freshDatabase(/** @type {"sqlite" | "postgres"} */ store) {
  const name = `sy_bench_${randomBytes(5).toString("hex")}`;
  if (store === "sqlite") return { store, name, url: `sqlite:${join(work, `${name}.db`)}` };
  schemas.push(name);
  return { store, name, url: `${flags.url}?schema=${name}` };
}

/** @typedef {ReturnType<typeof freshDatabase>} Db */

function writeConfig(/** @type {Db} */ db, /** @type {string} */ sinkUrl, withRoute = true) {
  const file = join(work, `${db.name}-${withRoute ? "route" : "bare"}.yaml`);
  writeFileSync(
    file,
    benchConfig({
      databaseUrl: db.url,
      secret,
      sinkUrl,
      concurrency: 64,
      routes: withRoute ? "routes: [{ slug: all, source: vercel, destinations: [sink] }]" : "routes: []",
    }),
  );
  return file;
}

async function startSwitchyard(/** @type {string} */ config, /** @type {string} */ role) {
  const server = startNode([cli, "serve", "--config", config, "--port", "0", "--role", role], {
    cwd: work,
  });
  const { url } = await waitForLine(server, (l) => l.msg === "switchyard listening", "switchyard", 120_000);
  return { server, url: /** @type {string} */ (url) };
}

/** The load generator against `url`'s ingest for --seconds at full load; what it saw acknowledged. */
async function drive(/** @type {string} */ url) {
  const load = startNode([
    join(root, "bench/load.js"),
    `--url=${url}/ingest/vercel`,
    `--secret=${secret}`,
    `--seconds=${seconds}`,
    "--warmup=2",
    "--connections=64",
  ]);
  const { result } =
    /** @type {{ result: { rps: number, non2xx: number, latencyMs: { p99: number } | null } }} */ (
      await waitForLine(load, (l) => "result" in l, "load", (seconds + 60) * 1000)
    );
  return result;
}

/** Durable events/s one node acknowledges under full load. */
async function ingestRun(/** @type {Db} */ db, /** @type {string} */ sinkUrl) {
  const sy = await startSwitchyard(writeConfig(db, sinkUrl, false), db.store === "sqlite" ? "all" : "ingest");
  const result = await drive(sy.url);
  await stop(sy.server);
  return result;
}

/**
 * The durable floor's acknowledged events/s under the same load (bench/durable-floor-server.js):
 * verify, parse, one multi-row insert per batch, 200 after the commit.
 */
async function floorRun(/** @type {Db} */ db) {
  if (db.store === "postgres") await admin.unsafe(`CREATE SCHEMA "${db.name}"`);
  const env =
    db.store === "sqlite"
      ? { STORE: "sqlite", DB: db.url.slice("sqlite:".length) }
      : { STORE: "postgres", DB: flags.url, SCHEMA: db.name };
  const floor = startNode([join(root, "bench/durable-floor-server.js")], {
    env: { ...process.env, SECRET: secret, PORT: "0", ...env },
  });
  const { listening } = await waitForLine(floor, (l) => "listening" in l, "durable floor");
  const result = await drive(/** @type {string} */ (listening));
  await stop(floor);
  return result;
}

/** Writes `n` events with one pending delivery each straight into the database. */
async function prefill(/** @type {Db} */ db, /** @type {number} */ n) {
  const body = Buffer.from(JSON.stringify(sampleEvent("deployment.created", { id: "backlog" })));
  const now = Date.now();
  if (db.store === "sqlite") {
    const d = new Database(db.url.slice("sqlite:".length));
    d.pragma("synchronous = OFF");
    const ev = d.prepare(
      "INSERT INTO events (id, tenant, source, external_id, type, original_type, received_at, body) VALUES (?, 'default', 'vercel', ?, 'deployment.created', 'deployment.created', ?, ?)",
    );
    const dl = d.prepare(
      "INSERT INTO deliveries (id, tenant, event_id, destination, routes, status, next_attempt_at, next_trigger, deadline_at, created_at, updated_at) VALUES (?, 'default', ?, 'sink', '[\"all\"]', 'pending', ?, 'initial', ?, ?, ?)",
    );
    d.transaction(() => {
      for (let i = 0; i < n; i++) {
        const id = `evt_BACKLOG${String(i).padStart(19, "0")}`;
        ev.run(id, `backlog-${i}`, now, body);
        dl.run(`dlv_BACKLOG${String(i).padStart(19, "0")}`, id, now, now + 86_400_000, now, now);
      }
    })();
    d.close();
    return;
  }
  const s = `"${db.name}"`;
  await admin.unsafe(
    // A JSON body is valid UTF-8, which Switchyard stores as text (see src/storage/postgres/body.ts).
    `INSERT INTO ${s}.events (id, tenant, source, external_id, type, original_type, received_at, body_text)
     SELECT 'evt_BACKLOG' || lpad(i::text, 19, '0'), 'default', 'vercel', 'backlog-' || i, 'deployment.created',
       'deployment.created', $1, $2 FROM generate_series(0, $3 - 1) i`,
    [now, body.toString("utf8"), n],
  );
  await admin.unsafe(
    `INSERT INTO ${s}.deliveries (id, tenant, event_id, destination, routes, status, next_attempt_at, next_trigger,
       deadline_at, created_at, updated_at)
     SELECT 'dlv_BACKLOG' || lpad(i::text, 19, '0'), 'default', 'evt_BACKLOG' || lpad(i::text, 19, '0'), 'sink',
       '["all"]', 'pending', $1, 'initial', $2, $1, $1 FROM generate_series(0, $3 - 1) i`,
    [now, now + 86_400_000, n],
  );
  await admin.unsafe(`ANALYZE ${s}.deliveries`);
}

/** Deliveries/s reaching the sink while `workers` processes drain a backlog. */
async function deliveryRun(
  /** @type {Db} */ db,
  /** @type {import("./sink-process.js").SinkProcess} */ sink,
  /** @type {number} */ workers,
) {
  const config = writeConfig(db, sink.url);
  const role = db.store === "sqlite" ? "all" : "worker";
  // The first start creates the schema; the backlog goes in while nothing runs.
  await stop((await startSwitchyard(config, role)).server);
  await prefill(db, backlog);
  const before = await sink.count();
  const started = performance.now();
  const nodes = await Promise.all(Array.from({ length: workers }, () => startSwitchyard(config, role)));
  // Measured from when every worker is up until the backlog is drained.
  const c0 = await sink.count();
  const t0 = performance.now();
  let count = c0;
  while (count - before < backlog && performance.now() - started < 600_000) {
    await new Promise((r) => setTimeout(r, 250));
    count = await sink.count();
  }
  const t1 = performance.now();
  for (const n of nodes) await stop(n.server);
  return { rate: (count - c0) / ((t1 - t0) / 1000), drained: count - before };
}

/**
 * The drain's floor: a plain undici Pool (64 connections) POSTing `backlog` 2 KB bodies to the
 * same sink; given `db`, the durable floor: the same Pool draining them from a queue table in that
 * store (bench/durable-drain-floor.js).
 */
async function poolRun(
  /** @type {import("./sink-process.js").SinkProcess} */ sink,
  /** @type {Db | undefined} */ db = undefined,
) {
  const durable =
    db === undefined ? [] : db.store === "postgres" ? [`--postgres=${flags.url}`, `--schema=${db.name}`] : [];
  const script = db === undefined ? "bench/delivery-baseline.js" : "bench/durable-drain-floor.js";
  const sender = startNode([
    join(root, script),
    `--url=${sink.url}`,
    `--count=${backlog}`,
    "--connections=64",
    ...durable,
  ]);
  const { rps } = /** @type {{ rps: number }} */ (
    await waitForLine(sender, (l) => "rps" in l, "pool sender", 600_000)
  );
  await stop(sender);
  return { rate: rps };
}

async function main() {
  const sink = await startSink(undefined);
  /** @type {Record<string, unknown>} */
  const out = { machine: { node: process.version, cpus: cpus().length }, seconds, backlog };
  for (const store of /** @type {const} */ (["sqlite", "postgres"])) {
    log(`${store}: the durable floor, ${seconds} s at full load`);
    const floor = await floorRun(freshDatabase(store));
    log(`${store}: ingest, one node, ${seconds} s at full load`);
    const ingest = await ingestRun(freshDatabase(store), sink.url);
    log(`${store}: delivery, one worker, ${backlog.toLocaleString()} pending`);
    const one = await deliveryRun(freshDatabase(store), sink, 1);
    if (store === "postgres") log(`${store}: delivery, two workers, ${backlog.toLocaleString()} pending`);
    const two = store === "postgres" ? await deliveryRun(freshDatabase(store), sink, 2) : null;
    log(`${store}: the drain's floor, a plain undici Pool sending ${backlog.toLocaleString()}`);
    const pool = await poolRun(sink);
    log(
      `${store}: the drain's durable floor, the same Pool draining a queue table of ${backlog.toLocaleString()}`,
    );
    const durable = await poolRun(sink, freshDatabase(store));
    out[store] = { floor, ingest, deliveryOneWorker: one, deliveryTwoWorkers: two, pool, durable };
  }
  sink.child.send({ cmd: "exit" });
  const f = (/** @type {number} */ x) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });
  const r = /** @type {Record<string, any>} */ (out);
  const p99 = (/** @type {{ latencyMs: { p99: number } | null }} */ i) => i.latencyMs?.p99.toFixed(1) ?? "-";
  console.log(`
Switchyard on PostgreSQL beside SQLite (one run; database, nodes, sink and load share ${cpus().length} CPUs)
                                 SQLite          PostgreSQL       goal (PostgreSQL)
  durable floor, events/s        ${f(r.sqlite.floor.rps).padEnd(16)}${f(r.postgres.floor.rps)}
  ingest, durable events/s       ${f(r.sqlite.ingest.rps).padEnd(16)}${f(r.postgres.ingest.rps).padEnd(17)}≥ 0.9× the floor
  ingest ÷ the floor             ${`${(r.sqlite.ingest.rps / r.sqlite.floor.rps).toFixed(2)}×`.padEnd(16)}${(r.postgres.ingest.rps / r.postgres.floor.rps).toFixed(2)}×
  ingest p99 (ms)                ${p99(r.sqlite.ingest).padEnd(16)}${p99(r.postgres.ingest)}
  ingest answers other than 200  ${f(r.sqlite.ingest.non2xx).padEnd(16)}${f(r.postgres.ingest.non2xx)}
  delivery/s, one worker         ${f(r.sqlite.deliveryOneWorker.rate).padEnd(16)}${f(r.postgres.deliveryOneWorker.rate).padEnd(17)}≥ 4,000
  delivery/s, two workers        ${"(one node only)".padEnd(16)}${f(r.postgres.deliveryTwoWorkers.rate).padEnd(17)}≥ 4,000
  plain undici Pool, same count  ${f(r.sqlite.pool.rate).padEnd(16)}${f(r.postgres.pool.rate)}
  one worker ÷ the Pool          ${`${(r.sqlite.deliveryOneWorker.rate / r.sqlite.pool.rate).toFixed(2)}×`.padEnd(16)}${`${(r.postgres.deliveryOneWorker.rate / r.postgres.pool.rate).toFixed(2)}×`.padEnd(17)}≥ 0.8×
  the Pool draining a table      ${f(r.sqlite.durable.rate).padEnd(16)}${f(r.postgres.durable.rate)}
  one worker ÷ that              ${`${(r.sqlite.deliveryOneWorker.rate / r.sqlite.durable.rate).toFixed(2)}×`.padEnd(16)}${(r.postgres.deliveryOneWorker.rate / r.postgres.durable.rate).toFixed(2)}×
`);
  console.log(JSON.stringify(out));
}

try {
  await main();
} catch (error) {
  killAll();
  console.error(error);
  process.exitCode = 1;
} finally {
  for (const s of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => {});
  await admin.end({ timeout: 1 });
  rmSync(work, { recursive: true, force: true });
}
