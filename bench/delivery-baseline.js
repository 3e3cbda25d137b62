// The baseline of `npm run bench:delivery`: a plain undici client POSTing 2 KB bodies to the same
// sink with the same concurrency as Switchyard's destination, for a fixed time (--seconds) or a
// fixed number of bodies (--count: the floor of the drain step). Prints one JSON line.
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { threadSeconds, threadSplit } from "./child-processes.js";

const { values: a } = parseArgs({
  options: {
    url: { type: "string" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "64" },
    count: { type: "string" },
  },
});
const count = a.count === undefined ? Number.POSITIVE_INFINITY : Number(a.count);
const url = new URL(/** @type {string} */ (a.url));
const pool = new Pool(url.origin, { connections: Number(a.connections) });
const body = Buffer.alloc(2048, "x");
const end = performance.now() + Number(a.seconds) * 1000;
let ok = 0;
let sent = 0;
async function loop() {
  while (a.count === undefined ? performance.now() < end : sent < count) {
    sent++;
    const r = await pool.request({
      method: "POST",
      path: url.pathname,
      body,
      headers: { "content-type": "application/json" },
    });
    await r.body.dump();
    if (r.statusCode === 200) ok++;
  }
}
const threadsBefore = threadSeconds(process.pid);
const start = performance.now();
await Promise.all(Array.from({ length: Number(a.connections) }, loop));
const seconds = (performance.now() - start) / 1000;
// CPU seconds over the same window, by thread (main, busiest other, the rest).
const threads = threadSplit(process.pid, threadsBefore, threadSeconds(process.pid));
process.stdout.write(`${JSON.stringify({ rps: ok / seconds, ok, seconds, threads })}\n`);
await pool.close();
