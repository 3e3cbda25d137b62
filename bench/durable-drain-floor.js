// The durable floor of `npm run bench:delivery --drain-only`: the least a sender that keeps its
// queue on disk does to drain it. N bodies of the same size wait in a SQLite queue table (WAL,
// synchronous=FULL; written before the clock starts). A writer thread owns the file: it reads the
// oldest rows past a cursor (no lease: the cursor is the only reader) and marks sent rows done by
// id, one transaction per batch of marks, one batch at a time. The main thread keeps 64 requests
// in flight through an undici Pool, the next rows read ahead while they run. Timed from the first
// read to the last mark committed; prints one JSON line as delivery-baseline.js does.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { Pool } from "undici";

if (isMainThread) await main();
else writer();

async function main() {
  const { values: a } = parseArgs({
    options: {
      url: { type: "string" },
      count: { type: "string" },
      connections: { type: "string", default: "64" },
      "body-bytes": { type: "string", default: "2048" },
    },
  });
  const count = Number(a.count);
  const connections = Number(a.connections);
  const url = new URL(/** @type {string} */ (a.url));
  const dir = mkdtempSync(join(tmpdir(), "switchyard-durable-drain-"));
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { path: join(dir, "queue.db"), count, bytes: Number(a["body-bytes"]) },
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

  const pool = new Pool(url.origin, { connections });
  /** @type {{ id: number, body: Uint8Array }[]} */
  let ready = [];
  let reading = false;
  let exhausted = false;
  /** @type {(() => void)[]} */
  let waiters = [];
  /** Reads the next rows once fewer than a round of requests are ready. */
  const readAhead = () => {
    if (reading || exhausted || ready.length >= connections) return;
    reading = true;
    ask({ op: "read", limit: connections }).then((/** @type {{ id: number, body: Uint8Array }[]} */ rows) => {
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
  let marking = null;
  let ok = 0;
  const mark = () => {
    if (marking || sent.length === 0) return marking;
    const ids = sent;
    sent = [];
    marking = ask({ op: "mark", ids }).then(() => {
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
  const start = performance.now();
  readAhead();
  await Promise.all(Array.from({ length: connections }, loop));
  while (marking || sent.length > 0) await (mark() ?? marking);
  const seconds = (performance.now() - start) / 1000;
  const left = await ask({ op: "left" });
  process.stdout.write(`${JSON.stringify({ rps: ok / seconds, ok, seconds, left })}\n`);
  await pool.close();
  await worker.terminate();
  rmSync(dir, { recursive: true, force: true });
}

function writer() {
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
