// `npm run bench:console`: the reads behind the console's pages and the API's lists on a store of
// a million events, each beside the same read on a store of 1,000 events, in the same run.
//
// Each backend gets two fresh databases (a SQLite file; a schema of its own on PostgreSQL), seeded
// by bench/console-seed.js with --events and --baseline events. Every read of
// bench/console-reads.js then goes through Switchyard's store (dist/), on both databases in turn,
// --runs times after two warm-ups; the figure is the median, and the ratio is what a read costs
// at a million against what it costs at 1,000: a read an index serves stays near 1×.
// Flags: --events N (1000000), --baseline N (1000), --runs N (7), --store sqlite|postgres|both,
// --url postgres://… (default the test server), --keep DIR (keep the seeded databases there, and
// reuse them on the next run: seeding a million events takes minutes; a new migration applies as
// the store opens). Run it niced while other work shares the machine. Method: BENCHMARKS.md.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import postgres from "postgres";
import { DEEP_PAGE_OFFSET, READS } from "./console-reads.js";
import { seedPostgres, seedSqlite, TENANTS } from "./console-seed.js";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const { values: flags } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    baseline: { type: "string", default: "1000" },
    runs: { type: "string", default: "7" },
    store: { type: "string", default: "both" },
    url: {
      type: "string",
      default: process.env.SWITCHYARD_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    },
    keep: { type: "string" },
  },
});
const sizes = { baseline: Number(flags.baseline), big: Number(flags.events) };
const runs = Number(flags.runs);
if (!(sizes.big > 0 && sizes.baseline > 0 && runs > 0))
  throw new Error("--events, --baseline and --runs are positive numbers");
const stores = flags.store === "both" ? ["sqlite", "postgres"] : [flags.store];
const work = flags.keep ? resolve(flags.keep) : mkdtempSync(join(tmpdir(), "switchyard-bench-console-"));
mkdirSync(work, { recursive: true });
const { openStore } = await import(join(root, "dist/storage/open.js"));
const admin = postgres(flags.url, { max: 1, onnotice: () => {} });
/** @type {string[]} */
const schemas = [];
const log = (/** @type {string} */ text) => process.stderr.write(`${text}\n`);

/**
 * A seeded database of `n` events and the store on it: made and seeded unless --keep holds it.
 * @param {"sqlite" | "postgres"} kind
 * @param {number} n
 */
async function seeded(kind, n) {
  // Kept databases are found again by their size; others are this run's alone.
  const name = `sy_console_${n}${flags.keep ? "" : `_${randomBytes(4).toString("hex")}`}`;
  const started = performance.now();
  if (kind === "sqlite") {
    const file = join(work, `${name}.db`);
    const fresh = !existsSync(file);
    // The store makes the schema; the seed writes while nothing else has the file open.
    if (fresh) await (await openStore(`sqlite:${file}`)).close();
    if (fresh) seedSqlite(file, n, Date.now());
    const store = await openStore(`sqlite:${file}`);
    const db = new Database(file, { readonly: true });
    const q = async (/** @type {string} */ text, /** @type {unknown[]} */ ...params) =>
      db.prepare(text).get(...params);
    return {
      store,
      q,
      seconds: fresh ? (performance.now() - started) / 1000 : null,
      close: () => db.close(),
    };
  }
  const [exists] = await admin`SELECT 1 FROM pg_namespace WHERE nspname = ${name}`;
  if (!flags.keep) schemas.push(name);
  const url = `${flags.url}?schema=${name}`;
  const fresh = !exists;
  if (fresh) {
    await (await openStore(url)).close();
    const sql = postgres(flags.url, { max: 1, onnotice: () => {}, connection: { search_path: name } });
    await seedPostgres(sql, n, Date.now());
    await sql.end();
  }
  const store = await openStore(url);
  const sql = postgres(flags.url, { max: 1, onnotice: () => {}, connection: { search_path: name } });
  return {
    store,
    q: pgQuery(sql),
    seconds: fresh ? (performance.now() - started) / 1000 : null,
    close: () => sql.end(),
  };
}

/** A one-row query with `?` placeholders on PostgreSQL. */
function pgQuery(/** @type {import("postgres").Sql} */ sql) {
  return async (/** @type {string} */ text, /** @type {unknown[]} */ ...params) => {
    let i = 0;
    const rows = await sql.unsafe(
      text.replace(/\?/g, () => `$${++i}`),
      /** @type {any} */ (params),
    );
    return rows[0];
  };
}

/**
 * What the reads need, found in the seeded data (untimed).
 * @param {(text: string, ...params: unknown[]) => Promise<any>} q
 * @returns {Promise<import("./console-reads.js").Fixtures>}
 */
async function fixtures(q) {
  const { n } = await q("SELECT count(*) AS n FROM events WHERE tenant = ?", TENANTS.big);
  const deep = await q(
    "SELECT id FROM events WHERE tenant = ? ORDER BY id DESC LIMIT 1 OFFSET ?",
    TENANTS.big,
    Math.min(DEEP_PAGE_OFFSET, Number(n) - 51),
  );
  const { now } = await q("SELECT max(received_at) + 1 AS now FROM events");
  const end = Number(now);
  const old = await q(
    "SELECT event_id FROM deliveries WHERE tenant = ? AND status = 'failed' AND created_at < ? ORDER BY created_at DESC LIMIT 1",
    TENANTS.big,
    end - 2 * 86_400_000,
  );
  const since = end - 1.5 * 86_400_000;
  return {
    deepCursor: deep.id,
    oldEventId: old.event_id,
    now: end,
    deadWindow: { since, until: since + 6 * 3_600_000 },
  };
}

const median = (/** @type {number[]} */ xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] ?? 0)
    : ((s[s.length / 2 - 1] ?? 0) + (s[s.length / 2] ?? 0)) / 2;
};

/** Times every read on both stores, alternately, so both see the same moments of the machine. */
async function measure(/** @type {any} */ base, /** @type {any} */ big) {
  const rows = [];
  for (const read of READS) {
    /** @type {number[]} */ const a = [];
    /** @type {number[]} */ const b = [];
    for (let r = -2; r < runs; r++) {
      for (const [side, out] of /** @type {const} */ ([
        [base, a],
        [big, b],
      ])) {
        const t0 = performance.now();
        await read.run(side.store, side.f);
        const ms = performance.now() - t0;
        if (r >= 0) out.push(ms);
      }
    }
    rows.push({
      name: read.name,
      page: read.page,
      baselineMs: median(a),
      bigMs: median(b),
      ratio: median(b) / median(a),
    });
    log(`  ${read.name}: ${median(a).toFixed(2)} ms / ${median(b).toFixed(2)} ms`);
  }
  return rows;
}

function table(/** @type {string} */ kind, /** @type {any[]} */ rows, /** @type {any} */ seed) {
  const f = (/** @type {number} */ ms) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
  const k = (/** @type {number} */ n) => n.toLocaleString("en-US");
  const lines = [
    "",
    `${kind}: ${k(sizes.baseline)} events against ${k(sizes.big)} (median of ${runs}, ms)` +
      (seed ? `; seeded in ${seed.toFixed(0)} s` : ""),
    `  ${"read".padEnd(42)}${k(sizes.baseline).padStart(10)}${k(sizes.big).padStart(12)}${"ratio".padStart(9)}`,
  ];
  for (const r of rows) {
    const ratio = `${r.ratio < 10 ? r.ratio.toFixed(1) : r.ratio.toFixed(0)}×`;
    lines.push(
      `  ${r.name.padEnd(42)}${f(r.baselineMs).padStart(10)}${f(r.bigMs).padStart(12)}${ratio.padStart(9)}`,
    );
  }
  return lines.join("\n");
}

async function main() {
  /** @type {Record<string, unknown>} */
  const out = { machine: { node: process.version, cpus: cpus().length }, sizes, runs };
  const report = [];
  for (const kind of /** @type {("sqlite" | "postgres")[]} */ (stores)) {
    log(
      `${kind}: ${sizes.baseline.toLocaleString()} and ${sizes.big.toLocaleString()} events (seeded unless --keep holds them)`,
    );
    const base = await seeded(kind, sizes.baseline);
    const big = await seeded(kind, sizes.big);
    if (big.seconds !== null)
      log(`${kind}: ${sizes.big.toLocaleString()} events seeded in ${big.seconds.toFixed(0)} s`);
    const sides = [
      { store: base.store, f: await fixtures(base.q) },
      { store: big.store, f: await fixtures(big.q) },
    ];
    log(`${kind}: timing ${READS.length} reads`);
    const rows = await measure(sides[0], sides[1]);
    for (const s of [base, big]) {
      await s.store.close();
      await s.close();
    }
    out[kind] = { seedSeconds: big.seconds, reads: rows };
    report.push(table(kind, rows, big.seconds));
  }
  console.log(`${report.join("\n")}\n`);
  console.log(JSON.stringify(out));
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  for (const s of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`).catch(() => {});
  await admin.end({ timeout: 1 });
  if (!flags.keep) rmSync(work, { recursive: true, force: true });
}
