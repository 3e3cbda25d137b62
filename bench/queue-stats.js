// `node bench/queue-stats.js`: what the queue's gauges cost at each /metrics scrape on SQLite,
// where the read runs on the thread that answers requests. For each store (a history: --deliveries
// stored, --pending of them waiting, 1 in 1,000 of the rest dead; a backlog: all of them waiting),
// a fresh file made by Switchyard's migrations and seeded straight into it, then the store's
// `queueStats()` of dist/ beside the plain statements that count the same (every delivery grouped by
// status, the waiting ones by destination, the oldest waiting one), each --runs times after a
// warm-up, medians; and a check that both say the same. Flags: --deliveries N (1,000,000),
// --pending N (10,000), --runs N (7). Method and figures: BENCHMARKS.md.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isDeepStrictEqual, parseArgs } from "node:util";
import Database from "better-sqlite3";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const { values: flags } = parseArgs({
  options: {
    deliveries: { type: "string", default: "1000000" },
    pending: { type: "string", default: "10000" },
    runs: { type: "string", default: "7" },
  },
});
const n = Number(flags.deliveries);
const runs = Number(flags.runs);
const { openStore } = await import(pathToFileURL(join(root, "dist/storage/open.js")).href);
const work = mkdtempSync(join(tmpdir(), "switchyard-queue-stats-"));

/** A fresh file of `n` deliveries to five destinations, the first `pending` of them waiting. */
async function seeded(/** @type {string} */ name, /** @type {number} */ pending) {
  const path = join(work, `${name}.db`);
  await (await openStore(`sqlite:${path}`)).close();
  const db = new Database(path);
  db.pragma("synchronous = OFF");
  const body = Buffer.alloc(2000, 120);
  const event = db.prepare(
    "INSERT INTO events (id, tenant, source, external_id, type, original_type, received_at, body) VALUES (?, 'default', 'vercel', ?, 'deployment.created', 'deployment.created', ?, ?)",
  );
  const delivery = db.prepare(
    "INSERT INTO deliveries (id, tenant, event_id, destination, routes, status, next_attempt_at, next_trigger, deadline_at, created_at, updated_at) VALUES (?, 'default', ?, ?, '[\"all\"]', ?, ?, 'initial', ?, ?, ?)",
  );
  const now = Date.now();
  const batch = db.transaction((/** @type {number} */ from, /** @type {number} */ to) => {
    for (let i = from; i < to; i++) {
      const id = `evt_Q${String(i).padStart(21, "0")}`;
      event.run(id, `q-${i}`, now, body);
      const status = i < pending ? "pending" : i % 1000 === 0 ? "failed" : "succeeded";
      const created = now - (n - i);
      delivery.run(
        `dlv_Q${String(i).padStart(21, "0")}`,
        id,
        `dest${i % 5}`,
        status,
        now,
        now + 86_400_000,
        created,
        now,
      );
    }
  });
  for (let i = 0; i < n; i += 20_000) batch(i, Math.min(n, i + 20_000));
  db.close();
  return path;
}

/** The same figures from plain statements, each over every row it counts. */
function plainStats(/** @type {import("better-sqlite3").Database} */ db) {
  const byStatus = { pending: 0, succeeded: 0, failed: 0, skipped: 0 };
  for (const r of /** @type {{ status: keyof typeof byStatus, n: number }[]} */ (
    db.prepare("SELECT status, count(*) AS n FROM deliveries GROUP BY tenant, status").all()
  ))
    byStatus[r.status] += r.n;
  /** @type {Record<string, number>} */
  const pendingByDestination = {};
  for (const r of /** @type {{ destination: string, n: number }[]} */ (
    db
      .prepare(
        "SELECT destination, count(*) AS n FROM deliveries WHERE status = 'pending' GROUP BY destination",
      )
      .all()
  ))
    pendingByDestination[r.destination] = r.n;
  const oldest = db.prepare("SELECT min(created_at) FROM deliveries WHERE status = 'pending'").pluck().get();
  return { byStatus, pendingByDestination, oldestPendingCreatedAt: oldest };
}

/** Median ms of `runs` calls after one. @param {() => unknown} f */
async function time(f) {
  await f();
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)] ?? Number.NaN;
}

console.log(
  `Queue stats at a /metrics scrape, SQLite, ${n.toLocaleString()} deliveries (medians of ${runs})`,
);
let ok = true;
for (const [name, pending] of /** @type {const} */ ([
  ["history", Number(flags.pending)],
  ["backlog", n],
])) {
  const path = await seeded(name, pending);
  const store = await openStore(`sqlite:${path}`);
  const plain = new Database(path, { readonly: true });
  const same = isDeepStrictEqual(await store.queueStats(), plainStats(plain));
  ok &&= same;
  const sy = await time(() => store.queueStats());
  const base = await time(() => plainStats(plain));
  console.log(
    `  ${name.padEnd(8)} ${pending.toLocaleString().padStart(10)} waiting: queueStats ${sy.toFixed(1)} ms, the plain statements ${base.toFixed(1)} ms (${(sy / base).toFixed(2)}×); the same figures: ${same ? "yes" : "NO"}`,
  );
  plain.close();
  await store.close();
}
rmSync(work, { recursive: true, force: true });
if (!ok) process.exitCode = 1;
