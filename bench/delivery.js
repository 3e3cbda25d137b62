// `npm run bench:delivery`: delivery throughput, latency and memory of Switchyard on SQLite.
//
// In one run: (1) a baseline, a plain undici client POSTing to the sink; (2) sustained
// deliveries/s while signed events are ingested over HTTP at full speed (one route, one
// destination, the sink answering 200); (3) ingest-to-sink latency at a fixed 1,000 events/s
// (from an empty queue, after 2 s at that rate untimed);
// (4) peak RSS over all that; (5) RSS while a backlog of pending deliveries (1,000,000 by default,
// written straight into the SQLite file) drains. Switchyard runs on CPU 0; the sink and the load
// generator on CPU 1, where taskset exists. Then (6) the transform comparison: the same sustained
// load, each on a fresh database, through a route without a transform, with the slack template,
// and with a code transform in the sandbox, plus each transform's in-process cost per event.
// (7, --drain-only) The drain against its floor: for each size N (--drain-sizes, 20,000 and
// 200,000), the destination disabled, N events ingested over HTTP, the destination enabled, and
// the time until the sink has counted all N; beside it, a plain undici Pool (--concurrency
// connections) POSTing N bodies of the same size to the same sink, and the durable floor: the same
// Pool draining a SQLite queue of the N bodies (bench/durable-drain-floor.js). Sender on CPU 0,
// sink on CPU 1, --rounds rounds, each starting with the next of the three, medians.
// (8, --overload-only) The CPU split under overload: on a backlog of --overload-backlog stored
// deliveries, the load generator ingesting at full speed; ingest/s and deliveries/s over the
// window, beside each alone in the same round (ingest with the destination disabled, the backlog's
// drain with no ingest), each alone giving its CPU per item. Under overload, each side's share of
// the CPU is its rate times its cost; the goal is delivery's at least half.
// Flags: --seconds N, --backlog N, --backlog-seconds N, --transforms-only (just step 6),
// --backlog-only (just step 5), --drain-only (just step 7), --drain-sizes N,N,
// --overload-only (just step 8), --overload-backlog N, --sustained-only (just steps 2 and 3),
// --rounds N (interleaved rounds of step 6, default 3; each route's median is reported).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { benchConfig } from "./bench-config.js";
import {
  canPin,
  cpuSeconds,
  killAll,
  startNode,
  stop,
  threadSeconds,
  threadSplit,
  waitForLine,
} from "./child-processes.js";
import { startSink } from "./sink-process.js";
import { transformOverhead } from "./transform-overhead.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: process.env.BENCH_SECONDS ?? "10" },
    backlog: { type: "string", default: process.env.BENCH_BACKLOG ?? "1000000" },
    "backlog-seconds": { type: "string", default: "900" },
    concurrency: { type: "string", default: "64" },
    "transforms-only": { type: "boolean", default: false },
    "backlog-only": { type: "boolean", default: false },
    "drain-only": { type: "boolean", default: false },
    "drain-sizes": { type: "string", default: "20000,200000" },
    "overload-only": { type: "boolean", default: false },
    "sustained-only": { type: "boolean", default: false },
    "overload-backlog": { type: "string", default: "300000" },
    rounds: { type: "string", default: "3" },
    // Profile Switchyard while the backlog drains (its figures are then not representative).
    profile: { type: "string" },
  },
});
const seconds = Number(flags.seconds);
const pinned = canPin();
const SERVER_CPU = pinned ? 0 : undefined;
const CLIENT_CPU = pinned ? 1 : undefined;
const secret = "bench-delivery-secret-0123456789";
const work = mkdtempSync(join(tmpdir(), "switchyard-bench-delivery-"));
const db = join(work, "bench.db");
const cli = join(root, "dist/cli/main.js");
const { sampleEvent } = await import(join(root, "dist/vercel/index.js"));

const log = (/** @type {string} */ text) => process.stderr.write(`${text}\n`);
const memoryOf = (/** @type {number | undefined} */ pid, /** @type {string} */ field) => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

/** The route of each run of the transform comparison. */
const ROUTES = {
  none: "routes: [{ slug: all, source: vercel, destinations: [sink] }]",
  slack: "routes: [{ slug: all, source: vercel, transform: { template: slack }, destinations: [sink] }]",
  code: [
    "routes:",
    "  - slug: all",
    "    source: vercel",
    "    destinations: [sink]",
    "    transform:",
    "      code: |",
    "        function transform(event) {",
    "          const d = event.payload.deployment;",
    "          if (!d) return null;",
    '          return { deployment_id: d.id, url: d.url, target: event.payload.target ?? "preview", branch: d.meta?.githubCommitRef ?? null };',
    "        }",
  ].join("\n"),
};

function writeConfig(/** @type {string} */ sinkUrl, route = ROUTES.none) {
  const file = join(work, "switchyard.yaml");
  writeFileSync(
    file,
    benchConfig({
      databaseUrl: `sqlite:${db}`,
      secret,
      sinkUrl,
      concurrency: Number(flags.concurrency),
      routes: route,
    }),
  );
  return file;
}

async function startSwitchyard(/** @type {string} */ config, profile = false) {
  const prof = profile && flags.profile ? ["--cpu-prof", `--cpu-prof-dir=${flags.profile}`] : [];
  const server = startNode([...prof, cli, "serve", "--config", config, "--port", "0"], {
    cpu: SERVER_CPU,
    cwd: work,
  });
  const { url } = await waitForLine(server, (l) => l.msg === "switchyard listening", "switchyard", 120_000);
  return { server, url: /** @type {string} */ (url) };
}

/** Removes the SQLite file and its WAL, so that the next start begins on a fresh database. */
function removeDatabase() {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${db}${suffix}`, { force: true });
}

/** Writes `n` events, each with one pending delivery to `sink`, straight into the SQLite file. */
function prefill(/** @type {number} */ n) {
  const d = new Database(db);
  d.pragma("synchronous = OFF");
  const body = Buffer.from(JSON.stringify(sampleEvent("deployment.created", { id: "backlog" })));
  const ev = d.prepare(
    "INSERT INTO events (id, tenant, source, external_id, type, original_type, received_at, body) VALUES (?, 'default', 'vercel', ?, 'deployment.created', 'deployment.created', ?, ?)",
  );
  const dl = d.prepare(
    "INSERT INTO deliveries (id, tenant, event_id, destination, routes, status, next_attempt_at, next_trigger, deadline_at, created_at, updated_at) VALUES (?, 'default', ?, 'sink', '[\"all\"]', 'pending', ?, 'initial', ?, ?, ?)",
  );
  const now = Date.now();
  const batch = d.transaction((/** @type {number} */ from, /** @type {number} */ to) => {
    for (let i = from; i < to; i++) {
      const id = `evt_BACKLOG${String(i).padStart(19, "0")}`;
      ev.run(id, `backlog-${i}`, now, body);
      dl.run(`dlv_BACKLOG${String(i).padStart(19, "0")}`, id, now, now + 86_400_000, now, now);
    }
  });
  for (let i = 0; i < n; i += 20_000) batch(i, Math.min(n, i + 20_000));
  d.close();
}

/** Writes a backlog of pending deliveries straight into a fresh SQLite file, then times its drain. */
async function backlogDrain(
  /** @type {import("./sink-process.js").SinkProcess} */ sink,
  /** @type {string} */ config,
) {
  const n = Number(flags.backlog);
  log(`backlog: writing ${n.toLocaleString()} pending deliveries`);
  await freshBacklog(config, n);
  log("backlog: draining");
  const before = await sink.count();
  const sy = await startSwitchyard(config, true);
  const started = performance.now();
  let maxRss = 0;
  let drained = 0;
  const limit = Number(flags["backlog-seconds"]) * 1000;
  while (drained < n && performance.now() - started < limit) {
    await new Promise((r) => setTimeout(r, 500));
    maxRss = Math.max(maxRss, memoryOf(sy.server.child.pid, "VmRSS"));
    drained = (await sink.count()) - before;
  }
  const drainSeconds = (performance.now() - started) / 1000;
  const backlogPeak = memoryOf(sy.server.child.pid, "VmHWM");
  await stop(sy.server);
  return { n, drained, drainSeconds, maxRss, backlogPeak };
}

/** Deliveries/s reaching the sink while the load generator ingests at full speed into a running Switchyard. */
async function measureSustained(
  /** @type {import("./sink-process.js").SinkProcess} */ sink,
  /** @type {string} */ url,
  /** @type {number | undefined} */ pid = undefined,
) {
  const before = await sink.count();
  const load = startNode(
    [
      join(root, "bench/load.js"),
      `--url=${url}/ingest/vercel`,
      `--secret=${secret}`,
      `--seconds=${seconds}`,
      "--warmup=2",
      "--connections=32",
    ],
    { cpu: CLIENT_CPU },
  );
  await waitForLine(load, (l) => l.phase === "measure", "load", 60_000);
  const c0 = await sink.count();
  const t0 = performance.now();
  const cpu0 = cpuSeconds(pid);
  await waitForLine(load, (l) => l.phase === "end", "load", (seconds + 30) * 1000);
  const c1 = await sink.count();
  const t1 = performance.now();
  const cpu1 = cpuSeconds(pid);
  const { result } =
    /** @type {{ result: { rps: number, total: { ok: number }, latencyMs: { p99: number, max: number } | null } }} */ (
      await waitForLine(load, (l) => "result" in l, "load", 30_000)
    );
  return {
    deliveriesPerSecond: (c1 - c0) / ((t1 - t0) / 1000),
    ingestPerSecond: result.rps,
    ingestP99Ms: result.latencyMs?.p99 ?? Number.NaN,
    ingestMaxMs: result.latencyMs?.max ?? Number.NaN,
    /** Switchyard's CPU over the window, in cores (given its pid). */
    cores: cpu0 === null || cpu1 === null ? Number.NaN : (cpu1 - cpu0) / ((t1 - t0) / 1000),
    /** Resolves once every event acknowledged in the run has reached the sink. */
    drained: async () => {
      while ((await sink.count()) < before + result.total.ok) await new Promise((r) => setTimeout(r, 20));
    },
  };
}

/** The sustained measurement on a fresh database with `config`, Switchyard started and stopped for it. */
async function sustainedRun(
  /** @type {import("./sink-process.js").SinkProcess} */ sink,
  /** @type {string} */ config,
) {
  removeDatabase();
  const sy = await startSwitchyard(config);
  const { deliveriesPerSecond, ingestPerSecond } = await measureSustained(sink, sy.url);
  await stop(sy.server);
  return { deliveriesPerSecond, ingestPerSecond };
}

/** Step 6: the same load without a transform, with the slack template and with code; and each transform's cost per event. */
async function transformComparison(/** @type {import("./sink-process.js").SinkProcess} */ sink) {
  // Rounds interleave the three routes (none, slack, code, none, …) and each route's figure is
  // its median, so a slow stretch of the shared machine does not land on one route alone.
  const rounds = Number(flags.rounds);
  /** @type {Record<string, { deliveriesPerSecond: number, ingestPerSecond: number }[]>} */
  const all = {};
  for (let round = 1; round <= rounds; round++) {
    for (const [name, route] of Object.entries(ROUTES)) {
      log(`transforms: round ${round}/${rounds}, sustained load, route ${name}`);
      const run = await sustainedRun(sink, writeConfig(sink.url, route));
      all[name] = [...(all[name] ?? []), run];
    }
  }
  const median = (/** @type {number[]} */ xs) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2
      ? /** @type {number} */ (sorted[mid])
      : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  };
  /** @type {Record<string, { deliveriesPerSecond: number, ingestPerSecond: number, each: number[] }>} */
  const runs = {};
  for (const [name, list] of Object.entries(all)) {
    runs[name] = {
      deliveriesPerSecond: median(list.map((r) => r.deliveriesPerSecond)),
      ingestPerSecond: median(list.map((r) => r.ingestPerSecond)),
      each: list.map((r) => Math.round(r.deliveriesPerSecond)),
    };
  }
  log("transforms: in-process cost per event");
  const overhead = await transformOverhead(root);
  return { runs, overhead, rounds };
}

function printTransforms(/** @type {Awaited<ReturnType<typeof transformComparison>>} */ t) {
  const f = (/** @type {number} */ x, d = 0) =>
    x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  const none = t.runs.none?.deliveriesPerSecond ?? Number.NaN;
  const line = (/** @type {string} */ name, /** @type {string} */ label) => {
    const r = t.runs[name];
    if (!r) return "";
    const ratio =
      name === "none" ? "" : `  ${f((100 * r.deliveriesPerSecond) / none)} % of no transform   goal ≥ 80 %`;
    return `  ${label.padEnd(38)}${f(r.deliveriesPerSecond)} /s median of ${r.each.map((x) => f(x)).join(", ")}${ratio}\n`;
  };
  const cost = (/** @type {string} */ name) => {
    const o = t.overhead[name];
    return o
      ? `${f(o.serialUs, 1)} µs one at a time, ${f(o.concurrentUs, 1)} µs 64 at a time (${f(o.callerCpuUs, 1)} µs of the caller's CPU)`
      : "";
  };
  console.log(`
Transforms (each run on a fresh database, same load, ${t.rounds} interleaved rounds, medians)
${line("none", "no transform")}${line("slack", "slack template")}${line("code", "code transform (sandbox)")}  transform cost per event, slack        ${cost("slack")}   goal ≤ 50 µs
  transform cost per event, code         ${cost("code")}   goal ≤ 50 µs
`);
}

const ADMIN = { authorization: "Bearer bench-admin-token-0123456789" };

/** Resolves when the sink has counted `target` requests (polled), or after `limitMs`. */
async function sinkReaches(
  /** @type {import("./sink-process.js").SinkProcess} */ sink,
  /** @type {number} */ target,
  limitMs = 900_000,
) {
  const started = performance.now();
  let count = await sink.count();
  while (count < target && performance.now() - started < limitMs) {
    await new Promise((r) => setTimeout(r, 20));
    count = await sink.count();
  }
  return count;
}

/** Switchyard on a fresh database with its destination disabled: each event's delivery is stored and waits. */
async function startDisabled(/** @type {string} */ config) {
  removeDatabase();
  const sy = await startSwitchyard(config);
  const disabled = await fetch(`${sy.url}/api/v1/destinations/sink/disable`, {
    method: "POST",
    headers: ADMIN,
  });
  if (disabled.status !== 200) throw new Error(`could not disable the destination: ${disabled.status}`);
  return sy;
}

/** Switchyard's drain of `n` ingested deliveries: seconds from enabling the destination to the sink's last count. */
async function switchyardDrain(
  /** @type {import("./sink-process.js").SinkProcess} */ sink,
  /** @type {string} */ config,
  /** @type {number} */ n,
) {
  const sy = await startDisabled(config);
  const ingest = startNode(
    [
      join(root, "bench/ingest-count.js"),
      `--url=${sy.url}/ingest/vercel`,
      `--secret=${secret}`,
      `--count=${n}`,
    ],
    { cpu: CLIENT_CPU },
  );
  const ingested = /** @type {{ ok: number }} */ (
    await waitForLine(ingest, (l) => "ok" in l, "ingest", 900_000)
  );
  await stop(ingest);
  if (ingested.ok !== n) throw new Error(`ingested ${ingested.ok} of ${n}`);
  const before = await sink.count();
  const pid = sy.server.child.pid;
  const threadsBefore = threadSeconds(pid);
  const started = performance.now();
  const enabled = await fetch(`${sy.url}/api/v1/destinations/sink/enable`, {
    method: "POST",
    headers: ADMIN,
  });
  if (enabled.status !== 200) throw new Error(`could not enable the destination: ${enabled.status}`);
  const reached = await sinkReaches(sink, before + n);
  const seconds = (performance.now() - started) / 1000;
  const threads = perDelivery(threadSplit(pid, threadsBefore, threadSeconds(pid)), reached - before);
  await stop(sy.server);
  return { n, delivered: reached - before, seconds, rate: (reached - before) / seconds, threads };
}

/**
 * A `threadSplit` as µs of CPU per delivery, or null.
 * @param {ReturnType<typeof threadSplit>} split
 * @param {number} delivered
 */
function perDelivery(split, delivered) {
  if (split === null || delivered <= 0) return null;
  const us = (/** @type {number} */ seconds) => (seconds / delivered) * 1e6;
  return { main: us(split.main), busiestOther: us(split.busiestOther), rest: us(split.rest) };
}

/**
 * The floor: a plain undici Pool POSTing `n` bodies of the same size to the same sink; `durable`,
 * the same sender keeping its queue in SQLite (read ahead past a cursor, marked done once sent).
 */
async function floorDrain(
  /** @type {import("./sink-process.js").SinkProcess} */ sink,
  /** @type {number} */ n,
  durable = false,
) {
  const before = await sink.count();
  const sender = startNode(
    [
      join(root, durable ? "bench/durable-drain-floor.js" : "bench/delivery-baseline.js"),
      `--url=${sink.url}`,
      `--count=${n}`,
      `--connections=${flags.concurrency}`,
    ],
    { cpu: SERVER_CPU },
  );
  // Timed by the sender from its first request to its last answer: its own start-up is not the floor's.
  const { seconds, threads: split } =
    /** @type {{ seconds: number, threads: ReturnType<typeof threadSplit> }} */ (
      await waitForLine(sender, (l) => "rps" in l, "floor sender", 900_000)
    );
  const reached = await sinkReaches(sink, before + n);
  const threads = perDelivery(split ?? null, reached - before);
  await stop(sender);
  return { n, delivered: reached - before, seconds, rate: (reached - before) / seconds, threads };
}

/** Step 7: Switchyard's drain against the floor, for each size, rounds alternated; medians. */
async function drainVersusFloor(/** @type {import("./sink-process.js").SinkProcess} */ sink) {
  const config = writeConfig(sink.url);
  const sizes = flags["drain-sizes"].split(",").map(Number);
  const rounds = Number(flags.rounds);
  const mid = (/** @type {number[]} */ xs) =>
    [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;
  const results = [];
  for (const n of sizes) {
    /** @type {{ switchyard: number[], floor: number[], durable: number[] }} */
    const rates = { switchyard: [], floor: [], durable: [] };
    /** @type {Record<"switchyard" | "floor" | "durable", (ReturnType<typeof perDelivery>)[]>} */
    const threads = { switchyard: [], floor: [], durable: [] };
    /** @type {("switchyard" | "floor" | "durable")[]} */
    const who3 = ["floor", "switchyard", "durable"];
    for (let round = 0; round < rounds; round++) {
      // Each round starts with the next of the three, so none always runs first.
      const order = [...who3.slice(round % 3), ...who3.slice(0, round % 3)];
      for (const who of order) {
        log(`drain of ${n.toLocaleString()}, round ${round + 1}/${rounds}: ${who}`);
        const run =
          who === "switchyard"
            ? await switchyardDrain(sink, config, n)
            : await floorDrain(sink, n, who === "durable");
        if (run.delivered < n) throw new Error(`${who}: ${run.delivered} of ${n} reached the sink`);
        rates[who].push(run.rate);
        threads[who].push(run.threads);
      }
    }
    const switchyard = mid(rates.switchyard);
    const floor = mid(rates.floor);
    const durable = mid(rates.durable);
    results.push({
      n,
      rates,
      threads,
      switchyard,
      floor,
      durable,
      ratio: switchyard / floor,
      durableRatio: switchyard / durable,
    });
  }
  return results;
}

/** Deliveries/s reaching the sink over a window of `seconds` after `warmupSeconds`, with no load, and Switchyard's CPU in cores. */
async function sinkRate(
  /** @type {import("./sink-process.js").SinkProcess} */ sink,
  /** @type {number | undefined} */ pid,
  /** @type {number} */ warmupSeconds,
) {
  await new Promise((r) => setTimeout(r, warmupSeconds * 1000));
  const c0 = await sink.count();
  const t0 = performance.now();
  const cpu0 = cpuSeconds(pid);
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const c1 = await sink.count();
  const t1 = performance.now();
  const cpu1 = cpuSeconds(pid);
  return {
    deliveriesPerSecond: (c1 - c0) / ((t1 - t0) / 1000),
    cores: cpu0 === null || cpu1 === null ? Number.NaN : (cpu1 - cpu0) / ((t1 - t0) / 1000),
  };
}

/** A fresh database holding `n` pending deliveries to the sink (the schema made by Switchyard itself). */
async function freshBacklog(/** @type {string} */ config, /** @type {number} */ n) {
  removeDatabase();
  const sy = await startSwitchyard(config);
  await stop(sy.server);
  prefill(n);
}

/**
 * One round of step 8: ingest alone, the drain alone, then both at once. Each alone gives its
 * CPU per item (Switchyard's CPU over the window ÷ items); under overload, each side's share of
 * the CPU is its rate times that cost.
 */
async function overloadRound(
  /** @type {import("./sink-process.js").SinkProcess} */ sink,
  /** @type {string} */ config,
  /** @type {number} */ backlog,
) {
  // Ingest alone: the destination disabled, so each event's delivery is stored and waits.
  let sy = await startDisabled(config);
  const ingestAlone = await measureSustained(sink, sy.url, sy.server.child.pid);
  await stop(sy.server);

  // The drain alone, timed over the same window after the same 2 s warm-up.
  await freshBacklog(config, backlog);
  sy = await startSwitchyard(config);
  const drainAlone = await sinkRate(sink, sy.server.child.pid, 2);
  await stop(sy.server);

  // Both: the load on top of the backlog.
  await freshBacklog(config, backlog);
  sy = await startSwitchyard(config);
  const both = await measureSustained(sink, sy.url, sy.server.child.pid);
  await stop(sy.server);
  const ingestCost = ingestAlone.cores / ingestAlone.ingestPerSecond;
  const deliveryCost = drainAlone.cores / drainAlone.deliveriesPerSecond;
  const ingestCores = both.ingestPerSecond * ingestCost;
  const deliveryCores = both.deliveriesPerSecond * deliveryCost;
  return {
    ingestAlone: ingestAlone.ingestPerSecond,
    ingestAloneCores: ingestAlone.cores,
    ingestCostUs: ingestCost * 1e6,
    drainAlone: drainAlone.deliveriesPerSecond,
    drainAloneCores: drainAlone.cores,
    deliveryCostUs: deliveryCost * 1e6,
    ingest: both.ingestPerSecond,
    ingestP99Ms: both.ingestP99Ms,
    ingestMaxMs: both.ingestMaxMs,
    deliveries: both.deliveriesPerSecond,
    cores: both.cores,
    deliveryShare: deliveryCores / (deliveryCores + ingestCores),
  };
}

/** Step 8: the CPU split under overload, `--rounds` rounds; medians. */
async function overloadSplit(/** @type {import("./sink-process.js").SinkProcess} */ sink) {
  const config = writeConfig(sink.url);
  const backlog = Number(flags["overload-backlog"]);
  const rounds = [];
  for (let round = 1; round <= Number(flags.rounds); round++) {
    log(`overload: round ${round}/${flags.rounds}, backlog ${backlog.toLocaleString()}`);
    rounds.push(await overloadRound(sink, config, backlog));
  }
  const mid = (/** @type {number[]} */ xs) =>
    [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;
  return { backlog, rounds, deliveryShare: mid(rounds.map((r) => r.deliveryShare)) };
}

async function main() {
  const sink = await startSink(CLIENT_CPU);
  const config = writeConfig(sink.url);
  const out = { machine: { node: process.version, cpus: cpus().length, pinned } };
  if (flags["backlog-only"]) {
    const { n, drained, drainSeconds, maxRss, backlogPeak } = await backlogDrain(sink, config);
    sink.child.send({ cmd: "exit" });
    const rate = drained / drainSeconds;
    console.log(
      `backlog of ${n} pending: drained ${drained} in ${drainSeconds.toFixed(1)} s (${Math.round(rate)} /s), max RSS ${Math.round(maxRss)} MB, peak ${Math.round(backlogPeak)} MB`,
    );
    console.log(
      JSON.stringify({
        ...out,
        backlog: { size: n, drained, seconds: drainSeconds, rate, maxRssMb: maxRss, peakRssMb: backlogPeak },
      }),
    );
    rmSync(work, { recursive: true, force: true });
    return;
  }
  if (flags["drain-only"]) {
    const drains = await drainVersusFloor(sink);
    sink.child.send({ cmd: "exit" });
    const f = (/** @type {number} */ x) => Math.round(x).toLocaleString("en-US");
    console.log(
      `\nThe drain against its floor (${flags.rounds} rounds alternated, medians; sender on CPU 0, sink on CPU 1)`,
    );
    for (const d of drains) {
      console.log(
        `  ${f(d.n).padStart(8)} deliveries: switchyard ${f(d.switchyard)} /s, plain undici Pool ${f(d.floor)} /s: ${d.ratio.toFixed(2)}× (goal ≥ 0.80×: ${d.ratio >= 0.8 ? "met" : "NOT met"}); the same Pool draining a SQLite queue ${f(d.durable)} /s: ${d.durableRatio.toFixed(2)}×`,
      );
      // Each over its own timed window: the floors' as they time themselves, Switchyard's from
      // enabling the destination to the sink's last count.
      for (const who of /** @type {const} */ (["switchyard", "floor", "durable"])) {
        const splits = d.threads[who].map((t) =>
          t === null ? "n/a" : `${f(t.main)} / ${f(t.busiestOther)} / ${f(t.rest)}`,
        );
        console.log(
          `           ${who.padEnd(10)} µs of CPU per delivery, main / busiest other thread / the rest, by round: ${splits.join(", ")}`,
        );
      }
    }
    console.log(JSON.stringify({ ...out, drains }));
    rmSync(work, { recursive: true, force: true });
    return;
  }
  if (flags["overload-only"]) {
    const overload = await overloadSplit(sink);
    sink.child.send({ cmd: "exit" });
    const f = (/** @type {number} */ x) => Math.round(x).toLocaleString("en-US");
    console.log(
      `\nThe CPU split under overload (${f(overload.backlog)} stored deliveries, ingest at full speed, ${seconds} s windows)`,
    );
    for (const r of overload.rounds)
      console.log(
        `  alone: ingest ${f(r.ingestAlone)} /s at ${f(r.ingestCostUs)} µs, drain ${f(r.drainAlone)} /s at ${f(r.deliveryCostUs)} µs (${r.ingestAloneCores.toFixed(2)} and ${r.drainAloneCores.toFixed(2)} cores); both: ingest ${f(r.ingest)} /s (p99 ${r.ingestP99Ms.toFixed(1)} ms, max ${r.ingestMaxMs.toFixed(1)} ms), deliveries ${f(r.deliveries)} /s (${r.cores.toFixed(2)} cores): delivery's share ${(100 * r.deliveryShare).toFixed(0)} %`,
      );
    console.log(
      `  median share of delivery ${(100 * overload.deliveryShare).toFixed(0)} % (goal ≥ 50 %: ${overload.deliveryShare >= 0.5 ? "met" : "NOT met"})`,
    );
    console.log(JSON.stringify({ ...out, overload }));
    rmSync(work, { recursive: true, force: true });
    return;
  }
  if (flags["transforms-only"]) {
    const transforms = await transformComparison(sink);
    sink.child.send({ cmd: "exit" });
    printTransforms(transforms);
    console.log(JSON.stringify({ ...out, transforms }));
    rmSync(work, { recursive: true, force: true });
    return;
  }

  if (flags["sustained-only"]) {
    const sy = await startSwitchyard(config);
    const { drained, ...sustained } = await measureSustained(sink, sy.url, sy.server.child.pid);
    await drained();
    const template = JSON.stringify(sampleEvent("deployment.created", { id: "__ID__" }));
    const latency = await sink.ask(
      { cmd: "probe", url: `${sy.url}/ingest/vercel`, secret, rate: 1000, seconds, warmup: 2, template },
      "probe",
    );
    await stop(sy.server);
    sink.child.send({ cmd: "exit" });
    console.log(
      `sustained: deliveries ${Math.round(sustained.deliveriesPerSecond)} /s, ingest ${Math.round(sustained.ingestPerSecond)} /s, ${sustained.cores.toFixed(2)} cores; at 1,000/s: p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, lost ${latency.lost}`,
    );
    console.log(JSON.stringify({ ...out, sustained, latency }));
    rmSync(work, { recursive: true, force: true });
    return;
  }
  log("baseline: plain undici client → sink");
  const base = startNode(
    [
      join(root, "bench/delivery-baseline.js"),
      `--url=${sink.url}`,
      `--seconds=${seconds}`,
      `--connections=${flags.concurrency}`,
    ],
    { cpu: SERVER_CPU },
  );
  const baseline = /** @type {{ rps: number }} */ (
    await waitForLine(base, (l) => "rps" in l, "baseline", (seconds + 30) * 1000)
  );

  log("sustained: ingest at full speed, count what reaches the sink");
  const sy = await startSwitchyard(config);
  const { drained: sustainedDelivered, ...sustained } = await measureSustained(sink, sy.url);

  // The probe starts on an empty queue (what the sustained step left is delivered first), and
  // warms up for 2 s at its own rate before it times anything, as the load generator does.
  await sustainedDelivered();
  log("latency: 1,000 events/s, ingest to sink");
  const template = JSON.stringify(sampleEvent("deployment.created", { id: "__ID__" }));
  const latency = await sink.ask(
    { cmd: "probe", url: `${sy.url}/ingest/vercel`, secret, rate: 1000, seconds, warmup: 2, template },
    "probe",
  );
  const peakRss = memoryOf(sy.server.child.pid, "VmHWM");
  await stop(sy.server);

  const { n, drained, drainSeconds, maxRss, backlogPeak } = await backlogDrain(sink, config);
  const transforms = await transformComparison(sink);
  sink.child.send({ cmd: "exit" });

  Object.assign(out, {
    transforms,
    baseline,
    sustained,
    latency,
    peakRssMb: peakRss,
    backlog: {
      size: n,
      drained,
      seconds: drainSeconds,
      rate: drained / drainSeconds,
      maxRssMb: maxRss,
      peakRssMb: backlogPeak,
    },
  });
  const f = (/** @type {number} */ x, d = 0) =>
    x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log(`
Switchyard delivery benchmark
  machine   Node ${process.version}, ${cpus().length} CPUs, ${pinned ? "Switchyard on CPU 0, sink and load on CPU 1" : "unpinned"}
  route     one route, one destination (standard-webhooks signing, maxConcurrency ${flags.concurrency}), sink answers 200

  baseline (plain undici → sink)          ${f(baseline.rps)} req/s
  sustained deliveries while ingesting    ${f(sustained.deliveriesPerSecond)} /s  (ingest ${f(sustained.ingestPerSecond)} /s)   goal ≥ 5,000
  ratio to baseline                       ${f(sustained.deliveriesPerSecond / baseline.rps, 2)}×
  ingest→sink at 1,000/s                  p50 ${f(latency.p50, 1)} ms, p99 ${f(latency.p99, 1)} ms (lost ${latency.lost}, failed ${latency.failed})   goals ≤ 5 / ≤ 50 ms
  peak RSS (phases above)                 ${f(peakRss)} MB   goal ≤ 200
  backlog of ${f(n)} pending             drained ${f(drained)} in ${f(drainSeconds)} s (${f(drained / drainSeconds)} /s), max RSS ${f(maxRss)} MB, peak ${f(backlogPeak)} MB
`);
  printTransforms(transforms);
  console.log(JSON.stringify(out));
  rmSync(work, { recursive: true, force: true });
}

main().catch((error) => {
  killAll();
  console.error(error);
  process.exit(1);
});
