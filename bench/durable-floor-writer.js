// The writer thread of the SQLite durable floor (durable-floor-server.js): each message is a batch
// of [id, received at, body] rows, committed in one transaction (WAL, synchronous=FULL); it
// answers once the commit is on disk.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const db = new Database(workerData.file);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec(
  "CREATE TABLE IF NOT EXISTS floor_events (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL, body BLOB NOT NULL)",
);
const insert = db.prepare("INSERT OR IGNORE INTO floor_events (id, received_at, body) VALUES (?, ?, ?)");
const commit = db.transaction((/** @type {[string, number, Uint8Array][]} */ rows) => {
  for (const row of rows) insert.run(row[0], row[1], row[2]);
});

parentPort?.on("message", (/** @type {[string, number, Uint8Array][]} */ rows) => {
  commit(rows);
  parentPort?.postMessage(rows.length);
});
