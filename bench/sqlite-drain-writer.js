// `npm run bench:writer-drain`: what Switchyard's SQLite writer spends on each delivery it drains,
// in this process, without HTTP: the claim (a batch of --claim due deliveries with their events'
// bodies, leased) and the record of their outcomes (batches of --record successful attempts, each
// with its attempt row and the destination's state), run through the write groups as the writer
// thread runs them. Beside it, in the same round, the durable floor of a drain's writer: a queue
// table of (id, seq, body, done), the same batches read oldest first, then marked done by id in one
// transaction per batch. Both on a fresh file of --deliveries pending rows, WAL, synchronous=FULL;
// kinds alternate for --rounds rounds, medians. The figures say how much of a drain's CPU is the
// store's alone, whatever the HTTP side costs (BENCHMARKS.md, delivery section). A third kind,
// "thread", runs the same drain through Switchyard's store as the worker does, each claim and each
// batch of outcomes a message to the writer thread (timed after its first tenth, which warms the new
// thread's code): its CPU (both threads) less the second kind's is what crossing between the
// threads costs.
//
// Flags: --deliveries N (20,000), --claim N (39) and --record N (21): the batch sizes seen in the
// drain of `npm run bench:delivery`, --rounds N (3), --json. Needs `npm run build`.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { renderTemplate } from "./event-bodies.js";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const dist = (/** @type {string} */ path) => import(join(root, "dist", path));
const { openWriter } = await dist("storage/sqlite/connection.js");
const { migrate } = await dist("storage/sqlite/migrations.js");
const { createWriteGroups } = await dist("storage/sqlite/write-ops.js");
const { DEFAULT_CIRCUIT_POLICY } = await dist("core/circuit-breaker.js");
const { decodeClaim, encodeOutcomes } = await dist("storage/sqlite/wire.js");
const { SqliteStore } = await dist("storage/sqlite/store.js");

const { values: flags } = parseArgs({
  options: {
    deliveries: { type: "string", default: "20000" },
    claim: { type: "string", default: "39" },
    record: { type: "string", default: "21" },
    rounds: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
});
const N = Number(flags.deliveries);
const CLAIM = Number(flags.claim);
const RECORD = Number(flags.record);
const ROUNDS = Number(flags.rounds);
for (const [name, n] of Object.entries({ deliveries: N, claim: CLAIM, record: RECORD, rounds: ROUNDS })) {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number`);
}

const template = renderTemplate(2048);
const body = (/** @type {number} */ i) =>
  Buffer.concat([template.prefix, Buffer.from(`evt_drain${String(i).padStart(15, "0")}`), template.suffix]);

/** What a sink like the bench's answers, as the delivery client records it. */
const RESPONSE_HEADERS = {
  "content-type": "text/plain",
  "content-length": "2",
  date: new Date().toUTCString(),
  connection: "keep-alive",
  "keep-alive": "timeout=5",
};

/** The outcome of a first attempt that the destination answered 200. */
function succeeded(/** @type {string} */ deliveryId, /** @type {number} */ now) {
  return {
    deliveryId,
    attempt: {
      number: 1,
      trigger: "initial",
      startedAt: now,
      durationMs: 2,
      status: 200,
      error: null,
      errorMessage: null,
      // Its own object, as each response gives: a clone writes an object it saw before as a reference.
      responseHeaders: { ...RESPONSE_HEADERS },
      responseBody: "ok",
      responseBodyEncoding: "utf8",
    },
    status: "succeeded",
    nextAttemptAt: null,
    lastStatus: 200,
    lastError: null,
    destinationChange: {
      tenant: "default",
      destination: "sink",
      ok: true,
      at: now,
      disable: null,
      circuit: DEFAULT_CIRCUIT_POLICY,
    },
    alert: null,
  };
}

/** @typedef {{ claimUs: number, recordUs: number, cpuUs: number, wallUs: number }} Run */

/**
 * Drains all N deliveries as a worker's batches do: `claim` takes up to CLAIM of them (their ids),
 * `record` records the outcomes of RECORD claimed ones at a time. CPU per delivery of each, and
 * wall time per delivery.
 */
function drain(/** @type {() => string[]} */ claim, /** @type {(ids: string[]) => unknown} */ record) {
  /** Runs `fn`, with the CPU µs it took. */
  const timed = (/** @type {() => any} */ fn) => {
    const before = process.cpuUsage();
    const value = fn();
    const used = process.cpuUsage(before);
    return { value, us: used.user + used.system };
  };
  let claimCpu = 0;
  let recordCpu = 0;
  let done = 0;
  /** @type {string[]} */
  const sent = [];
  const started = performance.now();
  while (done < N) {
    const claimed = timed(claim);
    claimCpu += claimed.us;
    if (claimed.value.length === 0) throw new Error(`the claim found nothing with ${N - done} left`);
    sent.push(...claimed.value);
    while (sent.length >= RECORD || (sent.length > 0 && done + sent.length === N)) {
      const batch = sent.splice(0, RECORD);
      recordCpu += timed(() => record(batch)).us;
      done += batch.length;
    }
  }
  const wall = performance.now() - started;
  return {
    claimUs: claimCpu / N,
    recordUs: recordCpu / N,
    cpuUs: (claimCpu + recordCpu) / N,
    wallUs: (wall * 1000) / N,
  };
}

/** A fresh Switchyard file at `path` holding N pending deliveries to "sink", each with its event; the writer left open. */
function seeded(/** @type {string} */ path) {
  const writer = openWriter(path);
  migrate(writer);
  const now = Date.now();
  const ev = writer.prepare(
    "INSERT INTO events (id, tenant, source, external_id, type, original_type, received_at, body) VALUES (?, 'default', 'vercel', ?, 'deployment.created', 'deployment.created', ?, ?)",
  );
  const dl = writer.prepare(
    "INSERT INTO deliveries (id, tenant, event_id, destination, routes, status, next_attempt_at, next_trigger, deadline_at, created_at, updated_at) VALUES (?, 'default', ?, 'sink', '[\"all\"]', 'pending', ?, 'initial', ?, ?, ?)",
  );
  writer.transaction(() => {
    for (let i = 0; i < N; i++) {
      const id = `evt_DRAIN${String(i).padStart(21, "0")}`;
      ev.run(id, `drain-${i}`, now, body(i));
      dl.run(`dlv_DRAIN${String(i).padStart(21, "0")}`, id, now, now + 86_400_000, now, now);
    }
  })();
  return writer;
}

const request = { tenant: "default", destination: "sink", fifo: false, maxConcurrency: 64, rate: null };

/** Switchyard's writer: claims of CLAIM, outcomes recorded RECORD at a time, until all N are done. */
function switchyard(/** @type {string} */ path) {
  const writer = seeded(path);
  const groups = createWriteGroups(writer);
  const run = (/** @type {string} */ op, /** @type {unknown[]} */ args) => {
    const [result] = groups.run([{ op, args }]).results;
    if (!result.ok) throw result.error;
    return result.value;
  };
  let at = Date.now();
  const result = drain(
    () => {
      at = Date.now();
      // As the writer thread answers and the main thread reads it: in flat form, then decoded.
      const claimed = decodeClaim(
        run("claimDeliveries", [[{ ...request, limit: CLAIM }], at, at + 60_000, "bench"]),
      );
      return claimed.deliveries.map((/** @type {{ id: string }} */ d) => d.id);
    },
    (ids) => run("recordOutcomes", [encodeOutcomes(ids.map((id) => succeeded(id, at))), at]),
  );
  writer.close();
  return result;
}

/**
 * The same drain through Switchyard's store as the worker calls it: each claim and each batch of
 * outcomes a message to the writer thread and back, a claim in flight while earlier outcomes are
 * recorded. CPU of the whole process (both threads) per delivery; no split between claim and record.
 * @returns {Promise<Run>}
 */
async function threaded(/** @type {string} */ path) {
  seeded(path).close();
  const store = await SqliteStore.open(path);
  /** @type {Promise<void>[]} */
  const recording = [];
  let done = 0;
  /** Drains until `until` deliveries are done in all. */
  const drainTo = async (/** @type {number} */ until) => {
    while (done < until) {
      const at = Date.now();
      const { deliveries } = await store.claimDeliveries(
        [{ ...request, limit: Math.min(CLAIM, until - done) }],
        at,
        at + 60_000,
        "bench",
      );
      if (deliveries.length === 0) throw new Error(`the claim found nothing with ${N - done} left`);
      for (let i = 0; i < deliveries.length; i += RECORD) {
        const batch = deliveries
          .slice(i, i + RECORD)
          .map((/** @type {{ id: string }} */ d) => succeeded(d.id, at));
        recording.push(store.recordOutcomes(batch, at));
      }
      done += deliveries.length;
      // The worker keeps a few batches of outcomes in flight, not all of them.
      while (recording.length > 4) await recording.shift();
    }
    await Promise.all(recording.splice(0));
  };
  // The writer thread is new: its first tenth, untimed, warms its code as a running node's is.
  const warm = Math.floor(N / 10);
  await drainTo(warm);
  const cpu = process.cpuUsage();
  const started = performance.now();
  await drainTo(N);
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - started;
  await store.close();
  return {
    claimUs: Number.NaN,
    recordUs: Number.NaN,
    cpuUs: (used.user + used.system) / (N - warm),
    wallUs: (wall * 1000) / (N - warm),
  };
}

/** The floor: the same batches read from a plain queue table, then marked done by id. */
function floor(/** @type {string} */ path) {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`
    CREATE TABLE queue (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, body BLOB NOT NULL, done INTEGER NOT NULL);
    CREATE INDEX queue_due ON queue (seq) WHERE done = 0;
  `);
  const put = db.prepare("INSERT INTO queue (id, seq, body, done) VALUES (?, ?, ?, 0)");
  db.transaction(() => {
    for (let i = 0; i < N; i++) put.run(`dlv_DRAIN${String(i).padStart(21, "0")}`, i, body(i));
  })();
  // Read past what is in flight: the floor keeps its own cursor, so it needs no lease.
  const due = db.prepare("SELECT id, body FROM queue WHERE done = 0 AND seq > ? ORDER BY seq LIMIT ?");
  const seqOf = db.prepare("SELECT seq FROM queue WHERE id = ?").pluck();
  const mark = db.prepare("UPDATE queue SET done = 1 WHERE id = ?");
  const markAll = db.transaction((/** @type {string[]} */ ids) => {
    for (const id of ids) mark.run(id);
  });
  let cursor = -1;
  const result = drain(() => {
    const rows = /** @type {{ id: string, body: Buffer }[]} */ (due.all(cursor, CLAIM));
    if (rows.length > 0) cursor = /** @type {number} */ (seqOf.get(rows[rows.length - 1]?.id));
    return rows.map((r) => r.id);
  }, markAll);
  db.close();
  return result;
}

const median = (/** @type {number[]} */ xs) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

/** @typedef {"floor" | "switchyard" | "thread"} Kind */
const dir = mkdtempSync(join(tmpdir(), "switchyard-drain-writer-bench-"));
/** @type {Record<Kind, Run[]>} */
const runs = { floor: [], switchyard: [], thread: [] };
/** @type {Kind[]} */
const kinds = ["floor", "switchyard", "thread"];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    // Each round starts with the next kind, so none always runs first.
    const order = [...kinds.slice(round % 3), ...kinds.slice(0, round % 3)];
    for (const kind of order) {
      const path = join(dir, `${kind}.db`);
      runs[kind].push(
        kind === "floor" ? floor(path) : kind === "switchyard" ? switchyard(path) : await threaded(path),
      );
      for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
/** @type {Record<Kind, Run>} */
const medians = {
  floor: summary(runs.floor),
  switchyard: summary(runs.switchyard),
  thread: summary(runs.thread),
};
function summary(/** @type {Run[]} */ rs) {
  return {
    claimUs: median(rs.map((r) => r.claimUs)),
    recordUs: median(rs.map((r) => r.recordUs)),
    cpuUs: median(rs.map((r) => r.cpuUs)),
    wallUs: median(rs.map((r) => r.wallUs)),
  };
}
if (flags.json) {
  process.stdout.write(
    `${JSON.stringify({ deliveries: N, claim: CLAIM, record: RECORD, rounds: ROUNDS, runs, medians })}\n`,
  );
} else {
  const lines = [
    `SQLite writer, per drained delivery (${N} pending, claims of ${CLAIM}, outcomes recorded ${RECORD} at a time, WAL, FULL; ${ROUNDS} rounds alternated, medians)`,
    `${"kind".padEnd(12)}${"claim CPU µs".padStart(14)}${"record CPU µs".padStart(15)}${"CPU µs".padStart(9)}${"wall µs".padStart(10)}${"CPU ÷ floor".padStart(14)}`,
  ];
  const us = (/** @type {number} */ x) => (Number.isNaN(x) ? "—" : x.toFixed(1));
  for (const k of kinds) {
    const r = medians[k];
    lines.push(
      `${k.padEnd(12)}${us(r.claimUs).padStart(14)}${us(r.recordUs).padStart(15)}${r.cpuUs.toFixed(1).padStart(9)}${r.wallUs.toFixed(1).padStart(10)}${`${(r.cpuUs / medians.floor.cpuUs).toFixed(2)}×`.padStart(14)}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
