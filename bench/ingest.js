// `npm run bench:ingest`: Switchyard's durable ingest against the durable floor (the least a
// store-before-ack receiver must do: durable-floor-server.js on SQLite) and a verify-only
// node:http receiver, under the same load, on the same CPU, rounds alternated; then a check that
// every 200 is in the SQLite file. Switchyard runs with one route to one destination (disabled,
// so each event also creates its delivery, which waits).
//
// Flags (or env): --seconds N (BENCH_SECONDS, 10), --warmup N (BENCH_WARMUP, 2),
// --connections N (BENCH_CONNECTIONS, 64), --rounds N (BENCH_ROUNDS, 3), --no-pin, --json,
// --profile DIR (Switchyard under --cpu-prof; its figures are then not representative),
// --switchyard-only (Switchyard alone: what `npm run profile:ingest` runs with --profile),
// --delivery-floor (a fourth target each round: the floor that also writes each event's delivery
// row, the least a server with one route must store; printed beside the floor),
// --node-args="ARGS" (Node or V8 flags for Switchyard's process, space-separated, e.g.
// "--allocation-site-pretenuring" to measure V8's default against the setting Switchyard makes),
// --allocations DIR (the floor and Switchyard under V8's sampling heap profiler over the measured
// window, collected objects included: bytes allocated per request, and a .heapprofile of each
// round in DIR for DevTools or `node bench/alloc-top.js`; their speed is then not representative).
// Method and figures: BENCHMARKS.md.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { allocationsByFunction, readHeapProfile } from "./alloc-top.js";
import { benchConfig } from "./bench-config.js";
import {
  canPin,
  coreSeconds,
  cpuSeconds,
  killAll,
  machineSeconds,
  startNode,
  stop,
  threadSeconds,
  threadSplit,
  waitForLine,
} from "./child-processes.js";
import { formatReport, gcLine, threadsLine } from "./report.js";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
/** Switchyard's req/s against the durable floor's, and its p99 against the floor's at most. */
const GOAL = { rps: 0.9, p99: 2 };
const ADMIN_TOKEN = "bench-admin-token-0123456789";
const SERVER_CPU = 0;
const LOAD_CPU = 1;
/** Variables Switchyard's config loader reads; any of them set here would override the bench config. */
const CONFIG_ENV = ["DATABASE_URL", "PORT", "HOST", "SWITCHYARD_CONFIG", "SWITCHYARD_ADMIN_TOKEN"];

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: process.env.BENCH_SECONDS ?? "10" },
    warmup: { type: "string", default: process.env.BENCH_WARMUP ?? "2" },
    connections: { type: "string", default: process.env.BENCH_CONNECTIONS ?? "64" },
    rounds: { type: "string", default: process.env.BENCH_ROUNDS ?? "3" },
    // Only Switchyard (with --profile: `npm run profile:ingest`); no floor, no ratios.
    "switchyard-only": { type: "boolean", default: false },
    "delivery-floor": { type: "boolean", default: false },
    "node-args": { type: "string", default: "" },
    "no-pin": { type: "boolean", default: false },
    // Pin only the load generator: the servers may use every CPU (Switchyard's writer thread
    // then runs beside the load generator instead of beside its own HTTP thread).
    "free-servers": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    profile: { type: "string" },
    allocations: { type: "string" },
  },
});
for (const name of /** @type {const} */ (["seconds", "warmup", "connections", "rounds"])) {
  if (!(Number(flags[name]) > 0))
    throw new Error(`--${name} must be a positive number, got "${flags[name]}"`);
}
const cli = join(root, "dist/cli/main.js");
const nodeArgs = flags["node-args"].split(/\s+/).filter(Boolean);
if (!existsSync(cli)) throw new Error("dist/ is missing: run `npm run build` (or `npm run bench:ingest`)");

const pinned = !flags["no-pin"] && canPin();
const serverCpu = pinned && !flags["free-servers"] ? SERVER_CPU : undefined;
const secret = randomBytes(24).toString("hex");
const work = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
/** @param {string} message */
const progress = (message) => process.stderr.write(`${message}\n`);
if (flags.allocations) mkdirSync(resolve(flags.allocations), { recursive: true });

/**
 * With --allocations, what a server is started with so that its allocations in the measured
 * window are sampled (bench/heap-sampler.cjs), and the window's hooks that start and stop the
 * sampling; the profile's bytes per request once the window's requests are known.
 * @param {string} name the file's name in the --allocations folder, without its extension
 */
function allocationSampling(name) {
  if (!flags.allocations) return null;
  const file = join(resolve(flags.allocations), `${name}.heapprofile`);
  /** @type {Promise<unknown> | null} */
  let written = null;
  return {
    args: ["-r", join(root, "bench/heap-sampler.cjs")],
    env: { HEAP_SAMPLE_FILE: file },
    /**
     * @param {import("./child-processes.js").Started} server
     * @param {"measure" | "end"} phase
     */
    onWindow(server, phase) {
      // Waited for before the signal: the line may come before the load generator's result.
      if (phase === "end") written = waitForLine(server, (line) => "heapProfile" in line, "heap sampler");
      server.child.kill("SIGUSR2");
    },
    /** @param {number} requests the window's */
    async result(requests) {
      if (!written) throw new Error("heap sampler: the measured window never closed");
      await written;
      const { total, functions } = allocationsByFunction(readHeapProfile(file));
      return {
        file,
        bytesPerRequest: total / requests,
        top: functions.slice(0, 8).map(([where, bytes]) => ({ where, bytesPerRequest: bytes / requests })),
      };
    },
  };
}

/**
 * CPU use of the server, the load generator and the rest of the machine at one moment.
 * @param {number | undefined} serverPid
 * @param {number | undefined} loadPid
 */
function cpuSnapshot(serverPid, loadPid) {
  return {
    at: performance.now(),
    server: cpuSeconds(serverPid),
    serverPid,
    serverThreads: threadSeconds(serverPid),
    load: cpuSeconds(loadPid),
    machine: machineSeconds(),
    core: serverCpu === undefined ? null : coreSeconds(serverCpu),
  };
}

/** The CPU figures of a window that could not be measured (no /proc, a process gone). */
const UNMEASURED = Object.freeze({
  serverBusy: null,
  serverThreads: null,
  restOfMachine: null,
  steal: null,
  serverCore: null,
});

/**
 * CPU use between two snapshots, in cores: the server (every thread), and what the rest of the
 * machine did beside it and the load generator (other processes, interrupts), and steal; and the
 * server's own CPU (when pinned) as shares of the window: busy, waiting on the disk, idle.
 * @param {ReturnType<typeof cpuSnapshot>} a
 * @param {ReturnType<typeof cpuSnapshot>} b
 */
function cpuBetween(a, b) {
  const wall = (b.at - a.at) / 1000;
  if (
    a.server === null ||
    b.server === null ||
    a.load === null ||
    b.load === null ||
    !a.machine ||
    !b.machine
  ) {
    return UNMEASURED;
  }
  const split = threadSplit(a.serverPid, a.serverThreads, b.serverThreads);
  const server = b.server - a.server;
  const load = b.load - a.load;
  return {
    serverBusy: server / wall,
    // In cores, like serverBusy: the main thread, the busiest other (the writer) and the rest.
    serverThreads: split && {
      main: split.main / wall,
      busiestOther: split.busiestOther / wall,
      rest: split.rest / wall,
    },
    restOfMachine: Math.max(0, b.machine.busy - a.machine.busy - server - load) / wall,
    steal: (b.machine.steal - a.machine.steal) / wall,
    serverCore: coreShares(a.core, b.core),
  };
}

/**
 * The shares of the server's CPU between two readings (each of /proc/stat's kinds over all of
 * them): a server bound by its core is busy near 100 %; one that waits on its commits shows
 * iowait (the core idle while the writer waits for the disk) or idle.
 * @param {ReturnType<typeof coreSeconds>} a
 * @param {ReturnType<typeof coreSeconds>} b
 */
function coreShares(a, b) {
  if (!a || !b) return null;
  const busy = b.busy - a.busy;
  const iowait = b.iowait - a.iowait;
  const idle = b.idle - a.idle;
  const total = busy + iowait + idle + (b.steal - a.steal);
  return total > 0 ? { busy: busy / total, iowait: iowait / total, idle: idle / total } : null;
}

/**
 * Runs the load generator against `url` and measures CPU use over the same window; `onWindow`
 * is called as it opens and closes (Switchyard's memory and event-loop figures).
 * @param {string} url
 * @param {number | undefined} serverPid
 * @param {(phase: "measure" | "end") => void} [onWindow]
 */
async function drive(url, serverPid, onWindow) {
  const load = startNode(
    [
      join(root, "bench/load.js"),
      `--url=${url}/ingest/vercel`,
      `--secret=${secret}`,
      `--connections=${flags.connections}`,
      `--seconds=${flags.seconds}`,
      `--warmup=${flags.warmup}`,
    ],
    { cpu: pinned ? LOAD_CPU : undefined },
  );
  /** @type {ReturnType<typeof cpuSnapshot> | null} */
  let opened = null;
  /** @type {ReturnType<typeof cpuBetween>} */
  let cpu = UNMEASURED;
  load.lines.on("line", (text) => {
    if (text === '{"phase":"measure"}') {
      opened = cpuSnapshot(serverPid, load.child.pid);
      onWindow?.("measure");
    }
    if (text === '{"phase":"end"}' && opened) {
      cpu = cpuBetween(opened, cpuSnapshot(serverPid, load.child.pid));
      onWindow?.("end");
    }
  });
  const timeout = (Number(flags.warmup) + Number(flags.seconds) + 60) * 1000;
  const { result } = await waitForLine(load, (line) => "result" in line, "load generator", timeout);
  await stop(load);
  return { .../** @type {import("./report.js").LoadResult} */ (result), ...cpu };
}

async function benchVerifyOnly() {
  progress("verify-only: starting");
  const server = startNode([join(root, "bench/verify-only-server.js")], {
    cpu: serverCpu,
    env: { ...process.env, SECRET: secret, PORT: "0" },
  });
  const { listening } = await waitForLine(server, (line) => "listening" in line, "verify-only server");
  progress(`verify-only: listening on ${listening}; driving load`);
  const measured = await drive(/** @type {string} */ (listening), server.child.pid);
  await stop(server);
  return measured;
}

let runs = 0;

/** The durable floor; with `deliveries`, the floor that also writes each event's delivery row. */
async function benchFloor(deliveries = false) {
  const db = join(work, `floor-${++runs}.db`);
  const name = deliveries ? "durable floor with deliveries" : "durable floor";
  progress(`${name}: starting`);
  const sampling = allocationSampling(`floor-${runs}`);
  const server = startNode([...(sampling?.args ?? []), join(root, "bench/durable-floor-server.js")], {
    cpu: serverCpu,
    env: {
      ...process.env,
      ...sampling?.env,
      SECRET: secret,
      PORT: "0",
      STORE: "sqlite",
      DB: db,
      DELIVERIES: deliveries ? "1" : "0",
    },
  });
  const { listening } = await waitForLine(server, (line) => "listening" in line, "durable floor server");
  progress(`${name}: listening on ${listening}; driving load`);
  const measured = await drive(
    /** @type {string} */ (listening),
    server.child.pid,
    sampling ? (phase) => sampling.onWindow(server, phase) : undefined,
  );
  const allocations = sampling ? await sampling.result(measured.ok) : null;
  await stop(server);
  const reader = new Database(db, { readonly: true, fileMustExist: true });
  const count = (/** @type {string} */ table) =>
    /** @type {number} */ (reader.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
  const stored = count("floor_events");
  // With deliveries, an event counts as stored only with its delivery.
  const durability = {
    stored: deliveries ? Math.min(stored, count("floor_deliveries")) : stored,
    answered200: measured.total.ok,
  };
  reader.close();
  return { ...measured, durability, allocations };
}

/** The resident memory of a process, in bytes (Linux), or null. */
function rssOf(/** @type {number | undefined} */ pid) {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/**
 * What Switchyard's metrics say of its runtime: the event loop's delay (reset at each scrape), in
 * ms, and the garbage collections so far by kind (count, and seconds of pause on the main thread).
 */
async function runtimeProbe(/** @type {string} */ url) {
  const text = await (
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  ).text();
  const value = (/** @type {string} */ name) => {
    // A series name may hold label braces and quotes: matched as it is written.
    const literal = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const m = new RegExp(`^switchyard_${literal} (\\S+)$`, "m").exec(text);
    return m ? Number(m[1]) : null;
  };
  const ms = (/** @type {number | null} */ n) => (n === null ? null : n * 1000);
  /** @type {Record<string, { count: number, seconds: number }>} */
  const gc = {};
  for (const kind of ["minor", "major", "incremental"]) {
    gc[kind] = {
      count: value(`nodejs_gc_duration_seconds_count{kind="${kind}"}`) ?? 0,
      seconds: value(`nodejs_gc_duration_seconds_sum{kind="${kind}"}`) ?? 0,
    };
  }
  return {
    delay: {
      p50: ms(value("nodejs_eventloop_lag_p50_seconds")),
      p99: ms(value("nodejs_eventloop_lag_p99_seconds")),
      max: ms(value("nodejs_eventloop_lag_max_seconds")),
    },
    gc,
  };
}

/** The collections between two probes, by kind. */
function gcBetween(
  /** @type {Awaited<ReturnType<typeof runtimeProbe>> | null} */ start,
  /** @type {Awaited<ReturnType<typeof runtimeProbe>> | null} */ end,
) {
  if (!start || !end) return null;
  /** @type {Record<string, { count: number, ms: number }>} */
  const out = {};
  for (const [kind, b] of Object.entries(end.gc)) {
    const a = /** @type {{ count: number, seconds: number }} */ (start.gc[kind]);
    out[kind] = { count: b.count - a.count, ms: (b.seconds - a.seconds) * 1000 };
  }
  return out;
}

async function benchSwitchyard() {
  const db = join(work, `switchyard-${++runs}.db`);
  const config = join(work, `switchyard-${runs}.yaml`);
  writeFileSync(
    config,
    benchConfig({
      databaseUrl: `sqlite:${db}`,
      secret,
      // Never reached: the destination is disabled before the load, so deliveries wait.
      sinkUrl: "http://127.0.0.1:9/never",
      concurrency: 64,
      routes: "routes: [{ slug: all, source: vercel, destinations: [sink] }]",
    }),
  );
  // Environment overrides (DATABASE_URL, PORT, ...) would beat the file: leave them out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONFIG_ENV.includes(name)));
  const profile = flags.profile ? ["--cpu-prof", `--cpu-prof-dir=${resolve(flags.profile)}`] : [];
  progress("switchyard: starting");
  const sampling = allocationSampling(`switchyard-${runs}`);
  const server = startNode(
    [...profile, ...nodeArgs, ...(sampling?.args ?? []), cli, "serve", "--config", config, "--port", "0"],
    {
      cpu: serverCpu,
      env: { ...env, ...sampling?.env },
      cwd: work,
    },
  );
  const { url } = await waitForLine(server, (line) => line.msg === "switchyard listening", "switchyard");
  const base = /** @type {string} */ (url);
  const disabled = await fetch(`${base}/api/v1/destinations/sink/disable`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  if (disabled.status !== 200) throw new Error(`could not disable the destination: ${disabled.status}`);
  const idleRss = rssOf(server.child.pid);
  progress(`switchyard: listening on ${base}; driving load`);
  /** @type {Promise<Awaited<ReturnType<typeof runtimeProbe>>> | null} */
  let opened = null;
  let loadedRss = /** @type {number | null} */ (null);
  /** @type {Promise<Awaited<ReturnType<typeof runtimeProbe>>> | null} */
  let closed = null;
  const measured = await drive(base, server.child.pid, (phase) => {
    sampling?.onWindow(server, phase);
    // The first scrape resets the delay histogram: the second reads the window's.
    if (phase === "measure") opened = runtimeProbe(base);
    else {
      loadedRss = rssOf(server.child.pid);
      closed = runtimeProbe(base);
    }
  });
  const start = opened ? await opened : null;
  const end = closed ? await closed : null;
  const loop = end ? end.delay : { p50: null, p99: null, max: null };
  const allocations = sampling ? await sampling.result(measured.ok) : null;
  const exit = await stop(server, "SIGTERM");
  const reader = new Database(db, { readonly: true, fileMustExist: true });
  const stored = /** @type {number} */ (reader.prepare("SELECT count(*) FROM events").pluck().get());
  const deliveries = /** @type {number} */ (reader.prepare("SELECT count(*) FROM deliveries").pluck().get());
  reader.close();
  const connections = Number(flags.connections);
  return {
    ...measured,
    durability: { stored, answered200: measured.total.ok, deliveries, exit },
    memory: {
      idleRss,
      loadedRss,
      perInFlight: idleRss !== null && loadedRss !== null ? (loadedRss - idleRss) / connections : null,
    },
    eventLoopDelayMs: loop,
    gc: gcBetween(start, end),
    allocations,
  };
}

/** The median of numbers (the lower middle one of an even count). */
function median(/** @type {number[]} */ values) {
  const sorted = [...values].sort((a, b) => a - b);
  return /** @type {number} */ (sorted[Math.floor((sorted.length - 1) / 2)]);
}

/** The targets, each run once per round (the floor with deliveries only with --delivery-floor). */
const TARGETS = /** @type {const} */ ({
  verifyOnly: benchVerifyOnly,
  floor: () => benchFloor(),
  floorDelivery: () => benchFloor(true),
  switchyard: benchSwitchyard,
});

/** Medians over a target's rounds: req/s, p50 and p99 (ms). */
function medians(/** @type {import("./report.js").LoadResult[]} */ results) {
  return {
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.latencyMs?.p50 ?? Number.NaN)),
    p99: median(results.map((r) => r.latencyMs?.p99 ?? Number.NaN)),
  };
}

async function main() {
  try {
    /** @type {{ verifyOnly: any[], floor: any[], floorDelivery: any[], switchyard: any[] }} */
    const runs = { verifyOnly: [], floor: [], floorDelivery: [], switchyard: [] };
    const rounds = Number(flags.rounds);
    for (let round = 0; round < rounds; round++) {
      // Alternated: a drift of the machine weighs on every target alike.
      const order = /** @type {(keyof typeof TARGETS)[]} */ (
        flags["switchyard-only"]
          ? ["switchyard"]
          : ["verifyOnly", "floor", ...(flags["delivery-floor"] ? ["floorDelivery"] : []), "switchyard"]
      );
      if (round % 2 === 1) order.reverse();
      for (const name of order) {
        progress(`round ${round + 1}/${rounds}: ${name}`);
        runs[name].push(await TARGETS[name]());
      }
    }
    if (flags["switchyard-only"]) {
      const [r] = runs.switchyard;
      process.stdout.write(
        `switchyard: ${Math.round(r.rps)} req/s, p50 ${r.latencyMs?.p50} ms, p99 ${r.latencyMs?.p99} ms` +
          `${threadsLine(r)}; garbage collection: ${gcLine(r.gc, r.ok)}` +
          (r.allocations
            ? `; allocated ${(r.allocations.bytesPerRequest / 1024).toFixed(1)} KiB a request (${r.allocations.file})`
            : "") +
          (flags.profile
            ? `; its CPU profile is in ${resolve(flags.profile)} (open it in Chrome's DevTools or speedscope)\n`
            : "\n"),
      );
      return;
    }
    const median = {
      verifyOnly: medians(runs.verifyOnly),
      floor: medians(runs.floor),
      floorDelivery: runs.floorDelivery.length > 0 ? medians(runs.floorDelivery) : null,
      switchyard: medians(runs.switchyard),
    };
    const summary = {
      machine: {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
        pinned: pinned ? { servers: serverCpu ?? "any", loadGenerator: LOAD_CPU } : false,
      },
      load: {
        connections: Number(flags.connections),
        warmupSeconds: Number(flags.warmup),
        seconds: Number(flags.seconds),
        rounds,
        bodyBytes: runs.verifyOnly[0].bodyBytes,
        profiled: Boolean(flags.profile),
        sampledAllocations: Boolean(flags.allocations),
      },
      runs,
      median,
      ratio: {
        rps: median.switchyard.rps / median.floor.rps,
        p99: median.switchyard.p99 / median.floor.p99,
        rpsOfVerifyOnly: median.switchyard.rps / median.verifyOnly.rps,
        floorOfVerifyOnly: median.floor.rps / median.verifyOnly.rps,
        floorDeliveryOfFloor: median.floorDelivery ? median.floorDelivery.rps / median.floor.rps : null,
        rpsOfFloorDelivery: median.floorDelivery ? median.switchyard.rps / median.floorDelivery.rps : null,
      },
      goal: GOAL,
    };
    const durable = [...runs.switchyard, ...runs.floor, ...runs.floorDelivery].every(
      (r) => r.durability.stored >= r.durability.answered200,
    );
    process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : formatReport(summary));
    if (!durable) process.exitCode = 1;
  } catch (error) {
    killAll();
    throw error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
