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
// During the one-worker drain it reads the CPU that Switchyard, the PostgreSQL server and the sink
// used, and on PostgreSQL the server's WAL syncs and the buffers its backends had to write out
// themselves (pg_stat_wal, pg_stat_bgwriter).
// Flags: --seconds N (ingest window), --backlog N, --url postgres://… (default the test server),
// --drain-only (the drains and their floors, no ingest).
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import postgres from "postgres";
import { benchConfig } from "./bench-config.js";
import { cpuSeconds, killAll, startNode, stop, waitForLine } from "./child-processes.js";
import { startSink } from "./sink-process.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    backlog: { type: "string", default: "100000" },
    "drain-only": { type: "boolean", default: false },
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

/**
 * The load generator against `url`'s ingest for --seconds at full load; what it saw acknowledged,
 * and the CPU per acknowledged event (µs) of the server (`pid`), the PostgreSQL server's processes
 * and the load generator, read when the load's 2 s warm-up ends and when its window does.
 */
async function drive(/** @type {string} */ url, /** @type {number} */ pid) {
  const load = startNode([
    join(root, "bench/load.js"),
    `--url=${url}/ingest/vercel`,
    `--secret=${secret}`,
    `--seconds=${seconds}`,
    "--warmup=2",
    "--connections=64",
  ]);
  const processes = () => ({
    server: [pid],
    postgres: postgresPids(),
    load: [/** @type {number} */ (load.child.pid)],
  });
  const at = (/** @type {number} */ ms) =>
    new Promise((resolve) =>
      setTimeout(() => resolve({ cpu: cpuReading(processes()), t: performance.now() }), ms),
    );
  const readings = Promise.all([at(2000), at(2000 + seconds * 1000)]);
  const { result } =
    /** @type {{ result: { rps: number, non2xx: number, latencyMs: { p99: number } | null } }} */ (
      await waitForLine(load, (l) => "result" in l, "load", (seconds + 60) * 1000)
    );
  const [a, b] = /** @type {{ cpu: ReturnType<typeof cpuReading>, t: number }[]} */ (await readings);
  // Cores used ÷ events per second = CPU seconds per event.
  const cores = coresBetween(a.cpu, b.cpu, (b.t - a.t) / 1000);
  const microsPerEvent = Object.fromEntries(
    Object.entries(cores).map(([group, c]) => [group, (c * 1e6) / result.rps]),
  );
  return { ...result, microsPerEvent };
}

/** Durable events/s one node acknowledges under full load. */
async function ingestRun(/** @type {Db} */ db, /** @type {string} */ sinkUrl) {
  const sy = await startSwitchyard(writeConfig(db, sinkUrl, false), db.store === "sqlite" ? "all" : "ingest");
  const result = await drive(sy.url, /** @type {number} */ (sy.server.child.pid));
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
  const result = await drive(/** @type {string} */ (listening), /** @type {number} */ (floor.child.pid));
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

/** The PostgreSQL server's counters of WAL syncs and of buffers its backends wrote out themselves. */
async function serverStats() {
  const [row] = await admin.unsafe(
    "SELECT (SELECT wal_sync FROM pg_stat_wal)::bigint AS wal_syncs, (SELECT buffers_backend FROM pg_stat_bgwriter)::bigint AS backend_writes",
  );
  return { walSyncs: Number(row?.wal_syncs), backendWrites: Number(row?.backend_writes) };
}

/** What the server's counters (`serverStats`) grew by while `delivered` deliveries reached the sink. */
function serverGrowth(
  /** @type {Awaited<ReturnType<typeof serverStats>>} */ a,
  /** @type {Awaited<ReturnType<typeof serverStats>>} */ b,
  /** @type {number} */ delivered,
) {
  return {
    walSyncsPerDelivery: (b.walSyncs - a.walSyncs) / delivered,
    backendWrites: b.backendWrites - a.backendWrites,
  };
}

/** The PostgreSQL server's processes on this machine (the postmaster, its backends and helpers). */
function postgresPids() {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").startsWith("postgres");
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** CPU seconds used so far by each process of each group, by group and pid (one that has exited is left out). */
function cpuReading(/** @type {Record<string, number[]>} */ groups) {
  /** @type {Record<string, Map<number, number>>} */
  const out = {};
  for (const [group, pids] of Object.entries(groups)) {
    out[group] = new Map();
    for (const pid of pids) {
      const s = cpuSeconds(pid);
      if (s !== null) out[group].set(pid, s);
    }
  }
  return out;
}

/** Each group's CPU between two `cpuReading`s, in cores over `seconds` (a process new since the first counts from 0). */
function coresBetween(
  /** @type {ReturnType<typeof cpuReading>} */ a,
  /** @type {ReturnType<typeof cpuReading>} */ b,
  /** @type {number} */ seconds,
) {
  /** @type {Record<string, number>} */
  const cores = {};
  for (const [group, after] of Object.entries(b)) {
    let used = 0;
    for (const [pid, s] of after) used += s - (a[group]?.get(pid) ?? 0);
    cores[group] = used / seconds;
  }
  return cores;
}

/**
 * Deliveries/s reaching the sink while `workers` processes drain a backlog, and the CPU (in cores)
 * that Switchyard, the PostgreSQL server and the sink used meanwhile: a drain that leaves the
 * machine's cores idle waits on round trips or locks, not on work.
 */
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
  const server = db.store === "postgres" ? await serverStats() : null;
  const processes = () => ({
    switchyard: nodes.map((n) => /** @type {number} */ (n.server.child.pid)),
    postgres: db.store === "postgres" ? postgresPids() : [],
    sink: [/** @type {number} */ (sink.child.pid)],
  });
  const cpu0 = cpuReading(processes());
  let count = c0;
  while (count - before < backlog && performance.now() - started < 600_000) {
    await new Promise((r) => setTimeout(r, 250));
    count = await sink.count();
  }
  const t1 = performance.now();
  const cores = coresBetween(cpu0, cpuReading(processes()), (t1 - t0) / 1000);
  const io = server === null ? null : serverGrowth(server, await serverStats(), count - c0);
  for (const n of nodes) await stop(n.server);
  return { rate: (count - c0) / ((t1 - t0) / 1000), drained: count - before, cores, io };
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
  const drainOnly = flags["drain-only"];
  for (const store of /** @type {const} */ (["sqlite", "postgres"])) {
    if (!drainOnly) log(`${store}: the durable floor, ${seconds} s at full load`);
    const floor = drainOnly ? null : await floorRun(freshDatabase(store));
    if (!drainOnly) log(`${store}: ingest, one node, ${seconds} s at full load`);
    const ingest = drainOnly ? null : await ingestRun(freshDatabase(store), sink.url);
    log(`${store}: delivery, one worker, ${backlog.toLocaleString()} pending`);
    const one = await deliveryRun(freshDatabase(store), sink, 1);
    const both = store === "postgres" && !drainOnly;
    if (both) log(`${store}: delivery, two workers, ${backlog.toLocaleString()} pending`);
    const two = both ? await deliveryRun(freshDatabase(store), sink, 2) : null;
    log(`${store}: the drain's floor, a plain undici Pool sending ${backlog.toLocaleString()}`);
    const pool = await poolRun(sink);
    log(
      `${store}: the drain's durable floor, the same Pool draining a queue table of ${backlog.toLocaleString()}`,
    );
    const durable = await poolRun(sink, freshDatabase(store));
    out[store] = { floor, ingest, deliveryOneWorker: one, deliveryTwoWorkers: two, pool, durable };
  }
  sink.child.send({ cmd: "exit" });
  const r = /** @type {Record<"sqlite" | "postgres", any>} */ (out);
  /** A number as text, or "-" where the run was not made. */
  const f = (/** @type {number | null | undefined} */ x, digits = 0) =>
    x === null || x === undefined || Number.isNaN(x)
      ? "-"
      : x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  const ratio = (/** @type {number | undefined} */ a, /** @type {number | undefined} */ b) =>
    a === undefined || b === undefined ? "-" : `${(a / b).toFixed(2)}×`;
  /** One line of the report: a label, each store's value, and the goal. */
  const line = (/** @type {string} */ label, /** @type {(x: any) => string} */ value, goal = "") =>
    `  ${label.padEnd(31)}${value(r.sqlite).padEnd(16)}${value(r.postgres).padEnd(17)}${goal}`.trimEnd();
  const one = (/** @type {any} */ x) => x.deliveryOneWorker;
  console.log(
    [
      "",
      `Switchyard on PostgreSQL beside SQLite (one run; database, nodes, sink and load share ${cpus().length} CPUs)`,
      `${"".padEnd(33)}SQLite          PostgreSQL       goal (PostgreSQL)`,
      line("durable floor, events/s", (x) => f(x.floor?.rps)),
      line("ingest, durable events/s", (x) => f(x.ingest?.rps), "≥ 0.9× the floor"),
      line("ingest ÷ the floor", (x) => ratio(x.ingest?.rps, x.floor?.rps)),
      line("ingest p99 (ms)", (x) => f(x.ingest?.latencyMs?.p99, 1)),
      line("ingest answers other than 200", (x) => f(x.ingest?.non2xx)),
      "  CPU per acknowledged event, µs (floor / Switchyard):",
      line(
        "  the node",
        (x) => `${f(x.floor?.microsPerEvent.server)} / ${f(x.ingest?.microsPerEvent.server)}`,
      ),
      line("  the database server", (x) =>
        x === r.sqlite
          ? "(in the node)"
          : `${f(x.floor?.microsPerEvent.postgres)} / ${f(x.ingest?.microsPerEvent.postgres)}`,
      ),
      line(
        "  the load generator",
        (x) => `${f(x.floor?.microsPerEvent.load)} / ${f(x.ingest?.microsPerEvent.load)}`,
      ),
      line("delivery/s, one worker", (x) => f(one(x).rate), "≥ 4,000"),
      line(
        "delivery/s, two workers",
        (x) => (x === r.sqlite ? "(one node only)" : f(x.deliveryTwoWorkers?.rate)),
        "≥ 4,000",
      ),
      line("plain undici Pool, same count", (x) => f(x.pool.rate)),
      line("one worker ÷ the Pool", (x) => ratio(one(x).rate, x.pool.rate), "≥ 0.8×"),
      line("the Pool draining a table", (x) => f(x.durable.rate)),
      line("one worker ÷ that", (x) => ratio(one(x).rate, x.durable.rate)),
      "  in the one-worker drain:",
      line("  CPU of Switchyard, cores", (x) => f(one(x).cores.switchyard, 2)),
      line("  CPU of the database server", (x) =>
        x === r.sqlite ? "(in Switchyard)" : f(one(x).cores.postgres, 2),
      ),
      line("  CPU of the sink", (x) => f(one(x).cores.sink, 2)),
      line("  WAL syncs per delivery", (x) => f(one(x).io?.walSyncsPerDelivery, 3)),
      line("  buffers backends wrote out", (x) => f(one(x).io?.backendWrites)),
      "",
    ].join("\n"),
  );
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
