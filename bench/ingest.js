// `npm run bench:ingest`: Switchyard's durable ingest against a verify-only node:http receiver,
// under the same load, on the same CPU; then a check that every 200 is in the SQLite file.
//
// Flags (or env): --seconds N (BENCH_SECONDS, 10), --warmup N (BENCH_WARMUP, 2),
// --connections N (BENCH_CONNECTIONS, 64), --no-pin, --json, --profile DIR (Switchyard under
// --cpu-prof; its figures are then not representative). Method and figures: BENCHMARKS.md.
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
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
import { formatReport } from "./report.js";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const GOAL = 0.75;
const SERVER_CPU = 0;
const LOAD_CPU = 1;
/** Variables Switchyard's config loader reads; any of them set here would override the bench config. */
const CONFIG_ENV = ["DATABASE_URL", "PORT", "HOST", "SWITCHYARD_CONFIG", "SWITCHYARD_ADMIN_TOKEN"];

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: process.env.BENCH_SECONDS ?? "10" },
    warmup: { type: "string", default: process.env.BENCH_WARMUP ?? "2" },
    connections: { type: "string", default: process.env.BENCH_CONNECTIONS ?? "64" },
    "no-pin": { type: "boolean", default: false },
    // Pin only the load generator: the servers may use every CPU (Switchyard's writer thread
    // then runs beside the load generator instead of beside its own HTTP thread).
    "free-servers": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    profile: { type: "string" },
  },
});
for (const name of /** @type {const} */ (["seconds", "warmup", "connections"])) {
  if (!(Number(flags[name]) > 0))
    throw new Error(`--${name} must be a positive number, got "${flags[name]}"`);
}
const cli = join(root, "dist/cli/main.js");
if (!existsSync(cli)) throw new Error("dist/ is missing: run `npm run build` (or `npm run bench:ingest`)");

const pinned = !flags["no-pin"] && canPin();
const serverCpu = pinned && !flags["free-servers"] ? SERVER_CPU : undefined;
const secret = randomBytes(24).toString("hex");
const work = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
/** @param {string} message */
const progress = (message) => process.stderr.write(`${message}\n`);

/**
 * CPU use of the server, the load generator and the rest of the machine at one moment.
 * @param {number | undefined} serverPid
 * @param {number | undefined} loadPid
 */
function cpuSnapshot(serverPid, loadPid) {
  return {
    at: performance.now(),
    server: cpuSeconds(serverPid),
    load: cpuSeconds(loadPid),
    machine: machineSeconds(),
  };
}

/**
 * CPU use between two snapshots, in cores: the server (every thread), and what the rest of the
 * machine did beside it and the load generator (other processes, interrupts), and steal.
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
    return { serverBusy: null, restOfMachine: null, steal: null };
  }
  const server = b.server - a.server;
  const load = b.load - a.load;
  return {
    serverBusy: server / wall,
    restOfMachine: Math.max(0, b.machine.busy - a.machine.busy - server - load) / wall,
    steal: (b.machine.steal - a.machine.steal) / wall,
  };
}

/**
 * Runs the load generator against `url` and measures CPU use over the same window.
 * @param {string} url
 * @param {number | undefined} serverPid
 */
async function drive(url, serverPid) {
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
  let cpu = { serverBusy: null, restOfMachine: null, steal: null };
  load.lines.on("line", (text) => {
    if (text === '{"phase":"measure"}') opened = cpuSnapshot(serverPid, load.child.pid);
    if (text === '{"phase":"end"}' && opened)
      cpu = cpuBetween(opened, cpuSnapshot(serverPid, load.child.pid));
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

async function benchSwitchyard() {
  const db = join(work, "bench.db");
  const config = join(work, "switchyard.yaml");
  writeFileSync(config, ingestConfig({ databaseUrl: `sqlite:${db}`, secret }));
  // Environment overrides (DATABASE_URL, PORT, ...) would beat the file: leave them out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONFIG_ENV.includes(name)));
  const profile = flags.profile ? ["--cpu-prof", `--cpu-prof-dir=${resolve(flags.profile)}`] : [];
  progress("switchyard: starting");
  const server = startNode([...profile, cli, "serve", "--config", config, "--port", "0"], {
    cpu: serverCpu,
    env,
    cwd: work,
  });
  const { url } = await waitForLine(server, (line) => line.msg === "switchyard listening", "switchyard");
  progress(`switchyard: listening on ${url}; driving load`);
  const measured = await drive(/** @type {string} */ (url), server.child.pid);
  const exit = await stop(server, "SIGTERM");
  const reader = new Database(db, { readonly: true, fileMustExist: true });
  const stored = /** @type {number} */ (reader.prepare("SELECT count(*) FROM events").pluck().get());
  reader.close();
  return { ...measured, durability: { stored, answered200: measured.total.ok, exit } };
}

async function main() {
  try {
    const verifyOnly = await benchVerifyOnly();
    const switchyard = await benchSwitchyard();
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
        bodyBytes: verifyOnly.bodyBytes,
        profiled: Boolean(flags.profile),
      },
      verifyOnly,
      switchyard,
      ratio: switchyard.rps / verifyOnly.rps,
      goal: GOAL,
    };
    const durable = switchyard.durability.stored >= switchyard.durability.answered200;
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
