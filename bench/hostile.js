// `npm run bench:hostile`: how long valid signed events take to be answered while clients who
// know no secret try to hold Switchyard (slow bodies, header trickles, unsigned 1 MiB bodies, bad
// signatures), beside the same measure with no hostile load, in the same run; then a check that
// every valid event answered 200 is in the SQLite file.
//
// Flags (or env): --seconds N (BENCH_SECONDS, 20) per phase, --rate N valid events/s (200),
// --slow-bodies N (200), --trickles N (200), --unsigned N (20) 1 MiB bodies without a signature,
// --forged N (20) 1 MiB bodies with a made-up one, --bad-signatures N (20) small ones,
// --hostile-from ADDRESS (127.0.0.2: the attackers' address, not Vercel's), --no-pin, --json.
// Method and figures: BENCHMARKS.md.

import { spawnSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createHistogram } from "node:perf_hooks";
import { setTimeout as delay } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { Pool } from "undici";
import { ingestConfig } from "./bench-config.js";
import {
  canPin,
  cpuSeconds,
  killAll,
  machineSeconds,
  startNode,
  stop,
  waitForLine,
} from "./child-processes.js";
import { renderTemplate } from "./event-bodies.js";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
/** Variables Switchyard's config loader reads; any of them set here would override the bench config. */
const CONFIG_ENV = ["DATABASE_URL", "PORT", "HOST", "SWITCHYARD_CONFIG", "SWITCHYARD_ADMIN_TOKEN"];
/** Hostile connections get this long to be under way before the valid events' window opens. */
const SETTLE_MS = 3_000;

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: process.env.BENCH_SECONDS ?? "20" },
    rate: { type: "string", default: "200" },
    "slow-bodies": { type: "string", default: "200" },
    trickles: { type: "string", default: "200" },
    unsigned: { type: "string", default: "20" },
    forged: { type: "string", default: "20" },
    "bad-signatures": { type: "string", default: "20" },
    "hostile-from": { type: "string", default: "127.0.0.2" },
    "no-pin": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
for (const name of /** @type {const} */ ([
  "seconds",
  "rate",
  "slow-bodies",
  "trickles",
  "unsigned",
  "forged",
  "bad-signatures",
])) {
  if (!(Number(flags[name]) >= 0)) throw new Error(`--${name} must be a number, got "${flags[name]}"`);
}
const cli = join(root, "dist/cli/main.js");
if (!existsSync(cli)) throw new Error("dist/ is missing: run `npm run build` (or `npm run bench:hostile`)");

const pinned = !flags["no-pin"] && canPin();
const secret = randomBytes(24).toString("hex");
const work = mkdtempSync(join(tmpdir(), "switchyard-bench-hostile-"));
/** @param {string} message */
const progress = (message) => process.stderr.write(`${message}\n`);

/** Resident memory of a process in MB, or null off Linux. @param {number | undefined} pid */
function rssMb(pid) {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? null : Number(kb) / 1024;
  } catch {
    return null;
  }
}

/** One Prometheus value from /metrics. @param {string} url @param {string} series */
async function metric(url, series) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

/**
 * Sends `rate` valid signed events a second for `seconds`, each on schedule whatever the answers
 * before it (open loop), and times each from when it was due to when its answer ended.
 * @param {string} url
 * @param {string} tag distinct per phase, so every event id is new
 */
async function sendValid(url, tag) {
  const { prefix, suffix } = renderTemplate(2048);
  const rate = Number(flags.rate);
  const total = Math.round(rate * Number(flags.seconds));
  const pool = new Pool(url, { connections: 64, keepAliveTimeout: 60_000 });
  const latency = createHistogram({ lowest: 1, highest: 120_000_000, figures: 3 });
  /** @type {Record<string, number>} */
  const statuses = {};
  /** @type {string[]} */
  const accepted = [];
  /** @type {Promise<void>[]} */
  const inFlight = [];
  const send = async (/** @type {number} */ i, /** @type {number} */ dueAt) => {
    const id = `evt_${tag}${String(i).padStart(24 - tag.length, "0")}`;
    const body = Buffer.concat([prefix, Buffer.from(id), suffix]);
    const signature = createHmac("sha1", secret).update(body).digest("hex");
    let status = "error";
    try {
      const res = await pool.request({
        path: "/ingest/vercel",
        method: "POST",
        headers: { "content-type": "application/json", "x-vercel-signature": signature },
        body,
      });
      const text = await res.body.text();
      status = String(res.statusCode);
      if (res.statusCode === 200)
        accepted.push(/** @type {{ eventId: string }} */ (JSON.parse(text)).eventId);
    } catch {}
    statuses[status] = (statuses[status] ?? 0) + 1;
    latency.record(Math.max(1, Math.round((performance.now() - dueAt) * 1000)));
  };
  const started = performance.now();
  for (let i = 0; i < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    for (; i < due; i++) inFlight.push(send(i, started + (i * 1000) / rate));
    await delay(5);
  }
  await Promise.all(inFlight);
  await pool.close();
  const ms = (/** @type {number} */ p) => latency.percentile(p) / 1000;
  return {
    sent: total,
    statuses,
    accepted,
    latencyMs: { p50: ms(50), p99: ms(99), max: latency.max / 1000 },
  };
}

/**
 * Runs `body` while sampling the server's resident memory, and returns its result with the peak
 * and the CPU (in cores) used meanwhile by the server, this process (the valid events' sender)
 * and the rest of the machine (the hostile clients' process, and whatever else runs).
 * @template T
 * @param {number | undefined} pid
 * @param {() => Promise<T>} body
 */
async function watching(pid, body) {
  let peak = rssMb(pid) ?? 0;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid) ?? 0);
  }, 100);
  const at = performance.now();
  const server = cpuSeconds(pid);
  const self = process.cpuUsage();
  const machine = machineSeconds();
  try {
    const result = await body();
    const wall = (performance.now() - at) / 1000;
    const serverCpu = server === null ? null : ((cpuSeconds(pid) ?? server) - server) / wall;
    const own = process.cpuUsage(self);
    const loadCpu = (own.user + own.system) / 1e6 / wall;
    const after = machineSeconds();
    const others =
      machine && after && serverCpu !== null
        ? Math.max(0, (after.busy - machine.busy) / wall - serverCpu - loadCpu)
        : null;
    return { ...result, peakRssMb: peak, cpu: { server: serverCpu, load: loadCpu, others } };
  } finally {
    clearInterval(timer);
  }
}

async function main() {
  const db = join(work, "bench.db");
  const config = join(work, "switchyard.yaml");
  writeFileSync(config, ingestConfig({ databaseUrl: `sqlite:${db}`, secret }));
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONFIG_ENV.includes(name)));
  // The server on CPU 0; this process (valid events and hostile clients) on CPU 1.
  if (pinned) spawnSync("/usr/bin/taskset", ["-cp", "1", String(process.pid)], { stdio: "ignore" });
  const server = startNode([cli, "serve", "--config", config, "--port", "0"], {
    cpu: pinned ? 0 : undefined,
    env,
    cwd: work,
  });
  try {
    const { url } = await waitForLine(server, (line) => line.msg === "switchyard listening", "switchyard");
    const target = /** @type {string} */ (url);
    const pid = server.child.pid;
    const runTag = randomBytes(2).toString("hex");

    progress(`quiet: ${flags.rate} valid events/s for ${flags.seconds} s`);
    const quiet = await watching(pid, () => sendValid(target, `${runTag}q`));
    const quietUnverifiedPeak = await metric(target, "switchyard_ingest_unverified_bytes_peak");

    const counts = {
      slowBodies: Number(flags["slow-bodies"]),
      headerTrickles: Number(flags.trickles),
      unsignedBodies: Number(flags.unsigned),
      forgedBodies: Number(flags.forged),
      badSignatures: Number(flags["bad-signatures"]),
    };
    progress(`hostile: ${JSON.stringify(counts)} from ${flags["hostile-from"]}, then the same valid events`);
    const hostile = await watching(pid, async () => {
      const clients = startNode(
        [
          join(root, "bench/hostile-load.js"),
          `--url=${target}`,
          `--from=${flags["hostile-from"]}`,
          `--counts=${JSON.stringify(counts)}`,
        ],
        { cpu: pinned ? 1 : undefined },
      );
      const { open } = await waitForLine(clients, (line) => "open" in line, "hostile clients");
      await delay(SETTLE_MS);
      const valid = await sendValid(target, `${runTag}h`);
      const done = waitForLine(clients, (line) => "outcomes" in line, "hostile clients");
      clients.child.kill("SIGUSR2");
      const { outcomes } = await done;
      await stop(clients, "SIGTERM");
      return { ...valid, hostileOpenAtStart: open, outcomes };
    });
    const hostileUnverifiedPeak = await metric(target, "switchyard_ingest_unverified_bytes_peak");
    const dropped = await metric(target, "switchyard_http_connections_dropped_total");

    const exit = await stop(server, "SIGTERM");
    const reader = new Database(db, { readonly: true, fileMustExist: true });
    const ids = [...quiet.accepted, ...hostile.accepted];
    const has = reader.prepare("SELECT 1 FROM events WHERE id = ?").pluck();
    const stored = ids.filter((id) => has.get(id) !== undefined).length;
    reader.close();

    const summary = {
      machine: {
        node: process.version,
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
        pinned: pinned ? { server: 0, load: 1 } : false,
      },
      load: {
        rate: Number(flags.rate),
        seconds: Number(flags.seconds),
        hostile: counts,
        from: flags["hostile-from"],
      },
      quiet: { ...strip(quiet), unverifiedPeakBytes: quietUnverifiedPeak },
      hostile: { ...strip(hostile), unverifiedPeakBytes: hostileUnverifiedPeak, droppedConnections: dropped },
      durability: { answered200: ids.length, stored, exit },
    };
    process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : report(summary));
    const allValidAnswered = [quiet, hostile].every((p) => p.statuses["200"] === p.sent);
    if (!allValidAnswered || stored !== ids.length) process.exitCode = 1;
  } catch (error) {
    killAll();
    throw error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A phase's result without the list of ids. @param {{ accepted: string[] }} phase */
function strip({ accepted, ...rest }) {
  return { ...rest, accepted: accepted.length };
}

/** @param {number | null} n */
const pct = (n) => (n === null ? "n/a" : `${Math.round(n * 100)}%`);

/** @param {any} s */
function report(s) {
  const row = (/** @type {string} */ name, /** @type {any} */ p) =>
    [
      name.padEnd(9),
      String(p.sent).padStart(6),
      String(p.statuses["200"] ?? 0).padStart(6),
      String(p.sent - (p.statuses["200"] ?? 0)).padStart(6),
      p.latencyMs.p50.toFixed(1).padStart(8),
      p.latencyMs.p99.toFixed(1).padStart(8),
      p.latencyMs.max.toFixed(1).padStart(8),
      p.peakRssMb.toFixed(0).padStart(8),
      (p.unverifiedPeakBytes / 1024 / 1024).toFixed(1).padStart(14),
      pct(p.cpu.server).padStart(10),
      pct(p.cpu.load).padStart(10),
      pct(p.cpu.others).padStart(4),
    ].join("  ");
  const outcomes = Object.entries(s.hostile.outcomes)
    .map(([kind, byStatus]) => `${kind} ${JSON.stringify(byStatus)}`)
    .join("; ");
  return [
    "",
    "Switchyard under hostile load",
    `  machine   Node ${s.machine.node}, ${s.machine.cpus} CPUs (${s.machine.cpuModel}), ${s.machine.pinned ? "server on CPU 0, load on CPU 1" : "not pinned"}`,
    `  valid     ${s.load.rate} signed 2 KB events/s, open loop, ${s.load.seconds} s per phase, from 127.0.0.1`,
    `  hostile   ${JSON.stringify(s.load.hostile)} connections from ${s.load.from} (${s.hostile.hostileOpenAtStart} open when the window opened)`,
    "",
    "phase        sent     200  other   p50 ms   p99 ms   max ms  RSS MB  unverified MiB  server CPU  sender CPU  rest",
    row("quiet", s.quiet),
    row("hostile", s.hostile),
    "",
    `hostile outcomes: ${outcomes}; connections dropped at the cap: ${s.hostile.droppedConnections}`,
    `durability: ${s.durability.stored} of ${s.durability.answered200} valid events answered 200 are in the SQLite file (exit ${JSON.stringify(s.durability.exit)})`,
    "",
  ].join("\n");
}

await main();
