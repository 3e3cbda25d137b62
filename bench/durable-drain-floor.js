// The durable floor of a drain: the least a sender that keeps its queue on disk does to drain it.
// N bodies of the same size wait in a queue table, written before the clock starts: in SQLite
// (WAL, synchronous=FULL; a writer thread owns the file), or with --postgres URL --schema NAME in
// a table of that PostgreSQL schema (through postgres.js). The oldest rows are read past a cursor
// (no lease: the cursor is the only reader) and sent rows are marked done by id, one transaction
// per batch of marks, one batch at a time. The main thread keeps --connections requests in flight
// through an undici Pool, the next rows read ahead while they run. Timed from the first read to
// the last mark committed; prints one JSON line as delivery-baseline.js does.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import postgres from "postgres";
import { Pool } from "undici";
import { threadSeconds, threadSplit } from "./child-processes.js";

/** @typedef {{ id: number, body: Uint8Array }} Row */
/**
 * @typedef {object} Queue
 * @property {(limit: number) => Promise<Row[]>} read the oldest rows past the cursor
 * @property {(ids: number[]) => Promise<unknown>} mark marks rows done, in one transaction
 * @property {() => Promise<number>} left rows not done
 * @property {() => Promise<void>} close
 */

if (isMainThread) await main();
else sqliteWriter();

async function main() {
  const { values: a } = parseArgs({
    options: {
      url: { type: "string" },
      count: { type: "string" },
      connections: { type: "string", default: "64" },
      "body-bytes": { type: "string", default: "2048" },
      postgres: { type: "string" },
      schema: { type: "string", default: "durable_drain_floor" },
    },
  });
  const count = Number(a.count);
  const connections = Number(a.connections);
  const bytes = Number(a["body-bytes"]);
  const url = new URL(/** @type {string} */ (a.url));
  const queue = a.postgres
    ? await postgresQueue(a.postgres, a.schema, count, bytes)
    : await sqliteQueue(count, bytes);

  const pool = new Pool(url.origin, { connections });
  /** @type {Row[]} */
  let ready = [];
  let reading = false;
  let exhausted = false;
  /** @type {(() => void)[]} */
  let waiters = [];
  /** Reads the next rows once fewer than a round of requests are ready. */
  const readAhead = () => {
    if (reading || exhausted || ready.length >= connections) return;
    reading = true;
    queue.read(connections).then((rows) => {
      reading = false;
      if (rows.length === 0) exhausted = true;
      ready = ready.concat(rows);
      const woken = waiters;
      waiters = [];
      for (const w of woken) w();
      readAhead();
    });
  };
  /** @type {number[]} */
  let sent = [];
  /** @type {Promise<unknown> | null} */
  let marking = null;
  let ok = 0;
  /** Marks what was sent, one batch at a time; resolves when nothing sent is left unmarked. */
  const mark = () => {
    if (marking || sent.length === 0) return marking;
    const ids = sent;
    sent = [];
    marking = queue.mark(ids).then(() => {
      marking = null;
      return mark();
    });
    return marking;
  };
  async function loop() {
    for (;;) {
      const row = ready.shift();
      readAhead();
      if (!row) {
        if (exhausted) return;
        await new Promise((r) => waiters.push(() => r(undefined)));
        continue;
      }
      const r = await pool.request({
        method: "POST",
        path: url.pathname,
        body: row.body,
        headers: { "content-type": "application/json" },
      });
      await r.body.dump();
      if (r.statusCode === 200) ok++;
      sent.push(row.id);
      mark();
    }
  }
  const threadsBefore = threadSeconds(process.pid);
  const start = performance.now();
  readAhead();
  await Promise.all(Array.from({ length: connections }, loop));
  while (marking || sent.length > 0) await (mark() ?? marking);
  const seconds = (performance.now() - start) / 1000;
  // CPU seconds over the same window, by thread (main, busiest other: the queue's, the rest).
  const threads = threadSplit(process.pid, threadsBefore, threadSeconds(process.pid));
  const left = await queue.left();
  process.stdout.write(`${JSON.stringify({ rps: ok / seconds, ok, seconds, left, threads })}\n`);
  await pool.close();
  await queue.close();
}

/** The queue in a SQLite file of its own, on a writer thread. */
async function sqliteQueue(/** @type {number} */ count, /** @type {number} */ bytes) {
  const dir = mkdtempSync(join(tmpdir(), "switchyard-durable-drain-"));
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { path: join(dir, "queue.db"), count, bytes },
  });
  /** @type {((reply: any) => void)[]} */
  const replies = [];
  worker.on("message", (m) => replies.shift()?.(m));
  const ask = (/** @type {object} */ m) =>
    new Promise((resolve) => {
      replies.push(resolve);
      worker.postMessage(m);
    });
  await ask({ op: "ready" });
  /** @type {Queue} */
  const queue = {
    read: (limit) => /** @type {Promise<Row[]>} */ (ask({ op: "read", limit })),
    mark: (ids) => ask({ op: "mark", ids }),
    left: () => /** @type {Promise<number>} */ (ask({ op: "left" })),
    close: async () => {
      await worker.terminate();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return queue;
}

function sqliteWriter() {
  const { path, count, bytes } = workerData;
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.exec(`
    CREATE TABLE queue (id INTEGER PRIMARY KEY, body BLOB NOT NULL, done INTEGER NOT NULL);
    CREATE INDEX queue_due ON queue (id) WHERE done = 0;
  `);
  const put = db.prepare("INSERT INTO queue (id, body, done) VALUES (?, ?, 0)");
  db.pragma("synchronous = OFF");
  db.transaction(() => {
    for (let i = 1; i <= count; i++) put.run(i, Buffer.alloc(bytes, (i % 26) + 97));
  })();
  db.pragma("synchronous = FULL");
  const due = db.prepare("SELECT id, body FROM queue WHERE done = 0 AND id > ? ORDER BY id LIMIT ?");
  const done = db.prepare("UPDATE queue SET done = 1 WHERE id = ?");
  const markAll = db.transaction((/** @type {number[]} */ ids) => {
    for (const id of ids) done.run(id);
  });
  const left = db.prepare("SELECT count(*) FROM queue WHERE done = 0").pluck();
  let cursor = 0;
  parentPort?.on("message", (m) => {
    if (m.op === "ready") parentPort?.postMessage(true);
    else if (m.op === "read") {
      const rows = due.all(cursor, m.limit);
      if (rows.length > 0) cursor = rows[rows.length - 1].id;
      parentPort?.postMessage(rows);
    } else if (m.op === "mark") {
      markAll(m.ids);
      parentPort?.postMessage(true);
    } else if (m.op === "left") parentPort?.postMessage(left.get());
  });
}

/** The queue in a table of a schema of its own on PostgreSQL, dropped at close. */
async function postgresQueue(
  /** @type {string} */ url,
  /** @type {string} */ schema,
  /** @type {number} */ count,
  /** @type {number} */ bytes,
) {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"`);
  const table = sql(`${schema}.queue`);
  await sql`CREATE TABLE ${table} (id bigint PRIMARY KEY, body bytea NOT NULL, done boolean NOT NULL)`;
  await sql`CREATE INDEX ON ${table} (id) WHERE NOT done`;
  for (let from = 1; from <= count; from += 1000) {
    const rows = [];
    for (let i = from; i < Math.min(count + 1, from + 1000); i++)
      rows.push({ id: i, body: Buffer.alloc(bytes, (i % 26) + 97), done: false });
    await sql`INSERT INTO ${table} ${sql(rows)}`;
  }
  await sql`VACUUM ANALYZE ${table}`;
  let cursor = 0;
  /** @type {Queue} */
  const queue = {
    read: async (limit) => {
      const rows =
        await sql`SELECT id, body FROM ${table} WHERE NOT done AND id > ${cursor} ORDER BY id LIMIT ${limit}`;
      const out = rows.map((r) => ({ id: Number(r.id), body: r.body }));
      if (out.length > 0) cursor = /** @type {Row} */ (out[out.length - 1]).id;
      return out;
    },
    mark: (ids) => sql`UPDATE ${table} SET done = true WHERE id = ANY(${ids}::bigint[])`,
    left: async () => Number((await sql`SELECT count(*) AS n FROM ${table} WHERE NOT done`)[0]?.n),
    close: async () => {
      await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await sql.end();
    },
  };
  return queue;
}
