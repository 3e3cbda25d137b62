// The sink of `npm run bench:delivery`, in its own process: answers every POST with 200 and
// counts. It can also send signed events to Switchyard at a fixed rate (open loop) and measure
// the time from sending each to receiving it back, both on this process's clock.
// Commands arrive over IPC; answers go back the same way.
import { createHmac } from "node:crypto";
import { createServer } from "node:http";
import { createHistogram } from "node:perf_hooks";
import { Agent, request } from "undici";

let received = 0;
let latency = createHistogram();
/** Send times of the probe events in flight, by id. */
const sentAt = new Map();

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    received++;
    if (sentAt.size > 0) {
      const body = Buffer.concat(chunks).toString();
      const match = /"id":"(probe-[^"]+-t\d+)"/.exec(body);
      const t = match ? sentAt.get(match[1]) : undefined;
      if (t !== undefined) {
        sentAt.delete(match?.[1]);
        latency.record(Math.max(1, Math.round((performance.now() - t) * 1000)));
      }
    }
    res.writeHead(200, { "content-length": "0" }).end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, "127.0.0.1", () => {
  process.send?.({ listening: `http://127.0.0.1:${server.address().port}/hook` });
});

/**
 * Sends `rate` events/s to `url`, signed, each with a unique id: `warmup` seconds first, not
 * timed (this process and Switchyard warm up and the connections open), then `seconds` timed.
 */
async function probe({ url, secret, rate, seconds, warmup = 0, template }) {
  const agent = new Agent({ connections: 64 });
  let failed = 0;
  let sent = 0;
  const run = `${process.pid}-${Date.now()}`;
  const inflight = new Set();
  /** Sends `total` events at `rate`; those with `timed` are recorded when they reach the sink. */
  const send = async (total, timed) => {
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const id = `probe-${run}-${timed ? "t" : "w"}${i}`;
      const body = template.replace("__ID__", id);
      const signature = createHmac("sha1", secret).update(body).digest("hex");
      if (timed) {
        sent++;
        sentAt.set(id, performance.now());
      }
      const p = request(url, {
        method: "POST",
        body,
        headers: { "content-type": "application/json", "x-vercel-signature": signature },
        dispatcher: agent,
      })
        .then((r) => r.body.dump().then(() => r.statusCode === 200 || (timed && failed++)))
        .catch(() => timed && failed++)
        .finally(() => inflight.delete(p));
      inflight.add(p);
    }
  };
  await send(rate * warmup, false);
  latency = createHistogram();
  await send(rate * seconds, true);
  await Promise.all(inflight);
  // Wait (bounded) for the last deliveries to arrive.
  const deadline = performance.now() + 30_000;
  while (sentAt.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await agent.close();
  const lost = sentAt.size;
  sentAt.clear();
  return {
    sent,
    failed,
    lost,
    p50: latency.percentile(50) / 1000,
    p99: latency.percentile(99) / 1000,
    max: latency.max / 1000,
  };
}

process.on("message", async (m) => {
  if (m.cmd === "count") process.send?.({ received });
  if (m.cmd === "probe") process.send?.({ probe: await probe(m) });
  if (m.cmd === "exit") server.close(() => process.exit(0));
});
