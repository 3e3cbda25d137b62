// The baseline of `npm run bench:ingest`: what any Vercel webhook receiver must do at the least.
// A plain node:http server that reads the body, checks `x-vercel-signature` (hex HMAC-SHA1 of the
// raw bytes, constant-time) and answers 200 JSON. It stores nothing.
//
// Env: SECRET (required), PORT (default 0: any free port). Prints {"listening":"http://…"} on stdout.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const secret = process.env.SECRET;
if (!secret) throw new Error("SECRET is required");
const HEX_SHA1 = /^[0-9a-fA-F]{40}$/;
const OK = JSON.stringify({ ok: true });
const REFUSED = JSON.stringify({ code: "invalid_signature", message: "the signature does not match" });

/**
 * @param {Buffer} body
 * @param {string | string[] | undefined} header
 */
function verified(body, header) {
  if (typeof header !== "string" || !HEX_SHA1.test(header)) return false;
  const expected = createHmac("sha1", secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(header, "hex"));
}

/**
 * @param {import("node:http").ServerResponse} res
 * @param {number} status
 * @param {string} text
 */
function answer(res, status, text) {
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

// Same keep-alive setting as Switchyard's server, so both targets treat connections alike.
const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  /** @type {Buffer[]} */
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    const body = chunks.length === 1 ? /** @type {Buffer} */ (chunks[0]) : Buffer.concat(chunks);
    if (verified(body, req.headers["x-vercel-signature"])) answer(res, 200, OK);
    else answer(res, 401, REFUSED);
  });
});

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  process.stdout.write(`${JSON.stringify({ listening: `http://127.0.0.1:${address.port}` })}\n`);
});

process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
