// The load generator of `npm run bench:ingest`: keeps a fixed number of keep-alive connections
// busy with distinct signed events for a warm-up and then a measured window, and prints what it saw.
//
// It runs as its own process (pinned to its own CPU by bench/ingest.js) so that it shares an event
// loop with nothing. Progress goes to stdout as JSON lines: {"phase":"measure"} when the window
// opens, {"phase":"end"} when it closes, then {"result":{...}}.
import { randomBytes } from "node:crypto";
import { createHistogram } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { Pool } from "undici";

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    secret: { type: "string" },
    connections: { type: "string", default: "64" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    "body-bytes": { type: "string", default: "2048" },
    "run-tag": { type: "string" },
  },
});
if (!args.url || !args.secret) throw new Error("usage: load.js --url URL --secret SECRET [--connections N]");

const target = new URL(args.url);
const connections = Number(args.connections);
const warmupMs = Number(args.warmup) * 1000;
const windowMs = Number(args.seconds) * 1000;
const CHUNK = 2048;
/** Bodies kept ready: enough for ~0.5 s at 30k req/s, so the worker works in the gaps. */
const LOW_WATER = 8 * CHUNK;

/** @param {object} line */
function emit(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

// --- Bodies: signed ahead of time in chunks by a worker thread -------------------------------

const bodyWorker = new Worker(new URL("./body-worker.js", import.meta.url), {
  workerData: {
    secret: args.secret,
    runTag: args["run-tag"] ?? randomBytes(4).toString("hex"),
    targetBytes: Number(args["body-bytes"]),
  },
});
/** @type {{ bytes: Buffer, size: number, signatures: string[], next: number }[]} */
const chunks = [];
let ready = 0;
let chunkRequested = false;
let generationMicros = 0;
let generated = 0;
let starved = 0;
/** @type {(() => void)[]} */
let waitingForBodies = [];

bodyWorker.on("message", (/** @type {import("./event-bodies.js").BodyChunk & { micros: number }} */ c) => {
  chunks.push({ bytes: Buffer.from(c.bytes), size: c.size, signatures: c.signatures, next: 0 });
  ready += c.signatures.length;
  generated += c.signatures.length;
  generationMicros += c.micros;
  chunkRequested = false;
  topUp();
  const waiters = waitingForBodies;
  waitingForBodies = [];
  for (const wake of waiters) wake();
});

function topUp() {
  if (!chunkRequested && ready < LOW_WATER) {
    chunkRequested = true;
    bodyWorker.postMessage(CHUNK);
  }
}

/** The next unsent body and its signature, or null when the worker has fallen behind. */
function takeBody() {
  const chunk = chunks[0];
  if (!chunk) return null;
  const i = chunk.next++;
  const body = chunk.bytes.subarray(i * chunk.size, (i + 1) * chunk.size);
  if (chunk.next === chunk.signatures.length) chunks.shift();
  ready--;
  topUp();
  return { body, signature: /** @type {string} */ (chunk.signatures[i]) };
}

// --- Load ---------------------------------------------------------------------------------------

const pool = new Pool(target.origin, {
  connections,
  pipelining: 1,
  keepAliveTimeout: 60_000,
  keepAliveMaxTimeout: 60_000,
});
const path = target.pathname + target.search;
const latency = createHistogram({ lowest: 1, highest: 60_000_000, figures: 3 });
const windowed = { ok: 0, non2xx: 0, errors: 0, /** @type {Record<string, number>} */ statuses: {} };
const total = { sent: 0, ok: 0, non2xx: 0, errors: 0 };
/** @type {Record<string, number>} */
const errorKinds = {};
let measuring = false;
let stopping = false;

/** One connection's worth of load: send, wait for the whole answer, repeat. */
async function connectionLoop() {
  while (!stopping) {
    const next = takeBody();
    if (!next) {
      starved++;
      await new Promise((resolve) => waitingForBodies.push(() => resolve(undefined)));
      continue;
    }
    const started = performance.now();
    total.sent++;
    try {
      const res = await pool.request({
        path,
        method: "POST",
        headers: { "content-type": "application/json", "x-vercel-signature": next.signature },
        body: next.body,
      });
      await res.body.dump();
      const ok = res.statusCode === 200;
      if (ok) total.ok++;
      else total.non2xx++;
      if (measuring) {
        if (ok) {
          windowed.ok++;
          latency.record(Math.max(1, Math.round((performance.now() - started) * 1000)));
        } else {
          windowed.non2xx++;
          windowed.statuses[res.statusCode] = (windowed.statuses[res.statusCode] ?? 0) + 1;
        }
      }
    } catch (error) {
      total.errors++;
      if (measuring) windowed.errors++;
      const kind = /** @type {{ code?: string }} */ (error).code ?? String(error);
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
    }
  }
}

/** @param {number} ms */
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  // Fill the queue before the first request so the warm-up starts with bodies ready.
  topUp();
  while (ready < LOW_WATER) await new Promise((resolve) => waitingForBodies.push(() => resolve(undefined)));

  const loops = Array.from({ length: connections }, () => connectionLoop());
  await delay(warmupMs);
  const cpuBefore = process.cpuUsage();
  const opened = performance.now();
  measuring = true;
  emit({ phase: "measure" });
  await delay(windowMs);
  measuring = false;
  const seconds = (performance.now() - opened) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  emit({ phase: "end" });
  stopping = true;
  await Promise.all(loops);
  await pool.close();
  await bodyWorker.terminate();

  const ms = (/** @type {number} */ p) => latency.percentile(p) / 1000;
  emit({
    result: {
      seconds,
      connections,
      bodyBytes: Number(args["body-bytes"]),
      ok: windowed.ok,
      rps: windowed.ok / seconds,
      latencyMs: windowed.ok > 0 ? { p50: ms(50), p90: ms(90), p99: ms(99), max: latency.max / 1000 } : null,
      non2xx: windowed.non2xx,
      statuses: windowed.statuses,
      errors: windowed.errors,
      total,
      errorKinds,
      cpu: { busy: (cpu.user + cpu.system) / 1e6 / seconds },
      bodies: { microsEach: generationMicros / generated, starved },
    },
  });
}

await main();
