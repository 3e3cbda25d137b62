// Ingests exactly --count distinct signed 2 KB `deployment.created` events into a Switchyard
// ingest URL over --connections keep-alive connections, then prints {"ok":N,"seconds":S}.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { createBodyFactory } from "./event-bodies.js";

const { values: a } = parseArgs({
  options: {
    url: { type: "string" },
    secret: { type: "string" },
    count: { type: "string" },
    connections: { type: "string", default: "64" },
  },
});
if (!a.url || !a.secret || !a.count) throw new Error("usage: ingest-count.js --url URL --secret S --count N");
const url = new URL(a.url);
const count = Number(a.count);
const pool = new Pool(url.origin, { connections: Number(a.connections) });
const factory = createBodyFactory({
  secret: a.secret,
  runTag: randomBytes(3).toString("hex"),
  targetBytes: 2048,
});
const CHUNK = 2048;
let sent = 0;
let ok = 0;
/** @type {{ bytes: Buffer, size: number, signatures: string[], next: number } | null} */
let chunk = null;

/** The next body and its signature. */
function nextBody() {
  if (!chunk || chunk.next === chunk.signatures.length) {
    const c = factory.chunk(CHUNK);
    chunk = { bytes: Buffer.from(c.bytes), size: c.size, signatures: c.signatures, next: 0 };
  }
  const i = chunk.next++;
  return {
    body: chunk.bytes.subarray(i * chunk.size, (i + 1) * chunk.size),
    signature: /** @type {string} */ (chunk.signatures[i]),
  };
}

async function loop() {
  while (sent < count) {
    sent++;
    const { body, signature } = nextBody();
    const r = await pool.request({
      method: "POST",
      path: url.pathname,
      body,
      headers: { "content-type": "application/json", "x-vercel-signature": signature },
    });
    await r.body.dump();
    if (r.statusCode === 200) ok++;
  }
}
const start = performance.now();
await Promise.all(Array.from({ length: Number(a.connections) }, loop));
process.stdout.write(`${JSON.stringify({ ok, seconds: (performance.now() - start) / 1000 })}\n`);
await pool.close();
