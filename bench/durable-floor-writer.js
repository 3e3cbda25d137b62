// The writer thread of the SQLite durable floor (durable-floor-server.js): each message is a batch
// of [id, received at, body] rows, committed in one transaction (WAL, synchronous=FULL); it
// answers once the commit is on disk. With `deliveries` (DELIVERIES=1 for the server), each new
// event also gets the least row a delivery queue needs, in the same transaction: its event, its
// destination, pending, when it is due, and one index to claim the due ones by.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const db = new Database(workerData.file);
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec(
  "CREATE TABLE IF NOT EXISTS floor_events (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL, body BLOB NOT NULL)",
);
const insert = db.prepare("INSERT OR IGNORE INTO floor_events (id, received_at, body) VALUES (?, ?, ?)");
/** @type {((eventId: string, receivedAt: number) => void) | null} */
let deliver = null;
if (workerData.deliveries) {
  db.exec(`
    CREATE TABLE IF NOT EXISTS floor_deliveries (
      seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, destination TEXT NOT NULL,
      status TEXT NOT NULL, next_attempt_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS floor_deliveries_due ON floor_deliveries (destination, next_attempt_at)
      WHERE status = 'pending';
  `);
  const delivery = db.prepare(
    "INSERT INTO floor_deliveries (event_id, destination, status, next_attempt_at) VALUES (?, 'sink', 'pending', ?)",
  );
  deliver = (eventId, receivedAt) => void delivery.run(eventId, receivedAt);
}
const commit = db.transaction((/** @type {[string, number, Uint8Array][]} */ rows) => {
  for (const row of rows) {
    // A repeat (the id already stored) gets no second delivery.
    if (insert.run(row[0], row[1], row[2]).changes === 1) deliver?.(row[0], row[1]);
  }
});

parentPort?.on("message", (/** @type {[string, number, Uint8Array][]} */ rows) => {
  commit(rows);
  parentPort?.postMessage(rows.length);
});
