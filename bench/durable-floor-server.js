// The durable floor of the ingest benchmarks: the least a Vercel webhook receiver that stores
// each event before answering must do, written as plainly as possible. node:http; read the body;
// HMAC-SHA1 of the raw bytes in constant time; JSON.parse; take `id`; queue the event; commit
// the queue one batch at a time; answer 200 after the commit.
//
// SQLite (STORE=sqlite, DB=<file>): a writer thread (durable-floor-writer.js) does INSERT OR
// IGNORE of (id, received at, body) in one transaction per batch, WAL, synchronous=FULL.
// PostgreSQL (STORE=postgres, DB=<url>): one multi-row INSERT … ON CONFLICT DO NOTHING per batch
// through postgres.js, at most two batches in flight.
//
// DELIVERIES=1 (SQLite only): each new event also gets a delivery row in the same transaction, the
// least a delivery queue needs (durable-floor-writer.js): the floor of a server with one route.
//
// Env: SECRET (required), STORE, DB, SCHEMA (PostgreSQL: the schema to write in), DELIVERIES, PORT (default 0). Prints {"listening":"http://…"} on stdout.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { Worker } from "node:worker_threads";
import postgres from "postgres";

const secret = process.env.SECRET;
const store = process.env.STORE ?? "sqlite";
const db = process.env.DB;
if (!secret || !db) throw new Error("SECRET and DB are required");
const HEX_SHA1 = /^[0-9a-fA-F]{40}$/;
const OK = JSON.stringify({ ok: true });
const REFUSED = JSON.stringify({ code: "invalid_signature", message: "the signature does not match" });
const INVALID = JSON.stringify({ code: "invalid_json", message: "the body is not a JSON event" });
/** Most events one batch commits; a larger queue waits for the next. */
const MAX_BATCH = 512;

/**
 * @param {Buffer} body
 * @param {string | string[] | undefined} header
 */
function verified(body, header) {
  if (typeof header !== "string" || !HEX_SHA1.test(header)) return false;
  const expected = createHmac("sha1", secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(header, "hex"));
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {string} text
 */
function answer(res, status, text) {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** @typedef {{ id: string, receivedAt: number, body: Buffer, res: import("node:http").ServerResponse }} Queued */

/** @type {Queued[]} */
let queue = [];
let inFlight = 0;
const maxInFlight = store === "postgres" ? 2 : 1;

/** Commits one batch of rows; resolves when it is durable. */
const commit = store === "postgres" ? postgresCommitter(db) : sqliteCommitter(db);

function pump() {
  while (inFlight < maxInFlight && queue.length > 0) {
    const batch = queue.length <= MAX_BATCH ? queue : queue.slice(0, MAX_BATCH);
    queue = queue.length <= MAX_BATCH ? [] : queue.slice(MAX_BATCH);
    inFlight++;
    commit(batch).then(
      () => {
        for (const e of batch) answer(e.res, 200, OK);
        inFlight--;
        pump();
      },
      (error) => {
        process.stderr.write(`commit failed: ${error}\n`);
        for (const e of batch) answer(e.res, 503, JSON.stringify({ code: "unavailable" }));
        inFlight--;
        pump();
      },
    );
  }
}

/** @param {string} file */
function sqliteCommitter(file) {
  const writer = new Worker(new URL("./durable-floor-writer.js", import.meta.url), {
    workerData: { file, deliveries: process.env.DELIVERIES === "1" },
  });
  /** @type {(() => void) | null} */
  let done = null;
  writer.on("message", () => {
    const resolve = done;
    done = null;
    resolve?.();
  });
  writer.on("error", (error) => {
    process.stderr.write(`writer failed: ${error}\n`);
    process.exit(1);
  });
  return (/** @type {Queued[]} */ batch) =>
    new Promise((resolve) => {
      done = /** @type {() => void} */ (resolve);
      writer.postMessage(batch.map((e) => [e.id, e.receivedAt, e.body]));
    });
}

/** @param {string} url */
function postgresCommitter(url) {
  const schema = process.env.SCHEMA;
  const sql = postgres(url, {
    max: 2,
    onnotice: () => {},
    ...(schema ? { connection: { search_path: schema } } : {}),
  });
  const ready = sql`CREATE TABLE IF NOT EXISTS floor_events (id text PRIMARY KEY, received_at bigint NOT NULL, body bytea NOT NULL)`;
  return async (/** @type {Queued[]} */ batch) => {
    await ready;
    const rows = batch.map((e) => ({ id: e.id, received_at: e.receivedAt, body: e.body }));
    await sql`INSERT INTO floor_events ${sql(rows)} ON CONFLICT DO NOTHING`;
  };
}

// Same keep-alive setting as Switchyard's server, so both targets treat connections alike.
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  /** @type {Buffer[]} */
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const body = chunks.length === 1 ? /** @type {Buffer} */ (chunks[0]) : Buffer.concat(chunks);
    if (!verified(body, req.headers["x-vercel-signature"])) return answer(res, 401, REFUSED);
    let id;
    try {
      id = JSON.parse(body.toString("utf8")).id;
    } catch {
      return answer(res, 400, INVALID);
    }
    if (typeof id !== "string") return answer(res, 400, INVALID);
    queue.push({ id, receivedAt: Date.now(), body, res });
    pump();
  });
});

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  process.stdout.write(`${JSON.stringify({ listening: `http://127.0.0.1:${address.port}` })}\n`);
});

process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
