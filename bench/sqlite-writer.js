// `npm run bench:writer`: what Switchyard's SQLite writer spends on each ingested event, in this
// process, without HTTP: the durable floor's writer (INSERT OR IGNORE of id, received at and body
// in one transaction per batch) against Switchyard's `insertEvents` run through the write groups
// as the writer thread runs it, without and with the event's delivery. Same batches (--batch
// events of 2 KB), WAL, synchronous=FULL, a fresh file each; kinds alternate for --rounds rounds.
// Prints µs of wall time and of CPU per event, and each against the floor's in the same round.
//
// Flags: --events N (20,000), --batch N (29: the events per group seen under the ingest bench),
// --rounds N (3), --json. Needs `npm run build`. Method and figures: BENCHMARKS.md.
import { randomBytes } from "node:crypto";
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
const { packEvents } = await dist("storage/sqlite/wire.js");
const { newDeliveryId, newEventId } = await dist("core/ids.js");

const { values: flags } = parseArgs({
  options: {
    events: { type: "string", default: "20000" },
    batch: { type: "string", default: "29" },
    rounds: { type: "string", default: "3" },
    json: { type: "boolean", default: false },
  },
});
const EVENTS = Number(flags.events);
const BATCH = Number(flags.batch);
const ROUNDS = Number(flags.rounds);
for (const [name, n] of Object.entries({ events: EVENTS, batch: BATCH, rounds: ROUNDS })) {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number`);
}

const template = renderTemplate(2048);

/** A 2 KB deployment.created event with a fresh Vercel id, rendered as the ingest bench renders its bodies. */
function event(/** @type {boolean} */ withDelivery) {
  const now = Date.now();
  const externalId = `evt_${randomBytes(12).toString("hex")}`;
  const body = Buffer.concat([template.prefix, Buffer.from(externalId), template.suffix]);
  return {
    id: newEventId(now),
    tenant: "default",
    source: "vercel",
    externalId,
    type: "deployment.created",
    originalType: "deployment.created",
    receivedAt: now,
    unknownType: false,
    schemaIssues: [],
    body,
    deliveries: withDelivery
      ? [
          {
            id: newDeliveryId(now),
            destination: "sink",
            routes: ["all"],
            route: null,
            nextAttemptAt: now,
            deadlineAt: now + 86_400_000,
            trigger: "first",
          },
        ]
      : [],
  };
}

/** @typedef {"floor" | "events" | "events+delivery"} Kind */

/** Writes EVENTS events in batches of BATCH as `kind` does; µs of wall time and CPU per event. */
function run(/** @type {Kind} */ kind, /** @type {string} */ dir) {
  const path = join(dir, `${kind}.db`);
  /** @type {(batch: any) => void} */
  let write;
  /** @type {{ close(): void }} */
  let db;
  const batches = [];
  for (let i = 0; i < EVENTS; i += BATCH) {
    batches.push(
      Array.from({ length: Math.min(BATCH, EVENTS - i) }, () => event(kind === "events+delivery")),
    );
  }
  if (kind === "floor") {
    const floor = new Database(path);
    floor.pragma("journal_mode = WAL");
    floor.pragma("synchronous = FULL");
    floor.exec(
      "CREATE TABLE floor_events (id TEXT PRIMARY KEY, received_at INTEGER NOT NULL, body BLOB NOT NULL)",
    );
    const insert = floor.prepare(
      "INSERT OR IGNORE INTO floor_events (id, received_at, body) VALUES (?, ?, ?)",
    );
    const commit = floor.transaction((/** @type {any[]} */ rows) => {
      for (const e of rows) insert.run(e.externalId, e.receivedAt, e.body);
    });
    write = commit;
    db = floor;
  } else {
    const writer = openWriter(path);
    migrate(writer);
    const groups = createWriteGroups(writer);
    // Packed before the clock starts: the main thread does that, not the writer.
    for (const [i, b] of batches.entries()) batches[i] = packEvents(b);
    write = (packed) => {
      const [result] = groups.run([{ op: "insertEvents", args: [packed] }]).results;
      if (!result.ok) throw result.error;
    };
    db = writer;
  }
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const b of batches) write(b);
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  db.close();
  return { wallUs: (wall * 1000) / EVENTS, cpuUs: (used.user + used.system) / EVENTS };
}

const median = (/** @type {number[]} */ xs) =>
  [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

const dir = mkdtempSync(join(tmpdir(), "switchyard-writer-bench-"));
/** @type {Kind[]} */
const kinds = ["floor", "events", "events+delivery"];
/** @type {Record<Kind, { wallUs: number, cpuUs: number }[]>} */
const runs = { floor: [], events: [], "events+delivery": [] };
try {
  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of kinds) {
      runs[kind].push(run(kind, dir));
      rmSync(join(dir, `${kind}.db`), { force: true });
      rmSync(join(dir, `${kind}.db-wal`), { force: true });
      rmSync(join(dir, `${kind}.db-shm`), { force: true });
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const result = Object.fromEntries(
  kinds.map((k) => [
    k,
    { wallUs: median(runs[k].map((r) => r.wallUs)), cpuUs: median(runs[k].map((r) => r.cpuUs)) },
  ]),
);
if (flags.json) {
  process.stdout.write(
    `${JSON.stringify({ events: EVENTS, batch: BATCH, rounds: ROUNDS, runs, medians: result })}\n`,
  );
} else {
  const lines = [
    `SQLite writer, per ingested event (${EVENTS} events of 2 KB in batches of ${BATCH}, WAL, FULL; ${ROUNDS} rounds, medians)`,
    `${"kind".padEnd(18)}${"wall µs".padStart(10)}${"CPU µs".padStart(10)}${"wall ÷ floor".padStart(15)}${"CPU ÷ floor".padStart(14)}`,
  ];
  for (const k of kinds) {
    const r = result[k];
    const f = result.floor;
    lines.push(
      `${k.padEnd(18)}${r.wallUs.toFixed(1).padStart(10)}${r.cpuUs.toFixed(1).padStart(10)}${`${(r.wallUs / f.wallUs).toFixed(2)}×`.padStart(15)}${`${(r.cpuUs / f.cpuUs).toFixed(2)}×`.padStart(14)}`,
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}
