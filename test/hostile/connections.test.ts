import { once } from "node:events";
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { jsonBodyOf, metricValue, openRaw, statusOf, trickle } from "../support/raw-http.js";
import { sendVercel } from "../support/send.js";

// Small limits, so that each cut comes within a second or two. Node looks for late requests every
// headersTimeout / 4 (125 ms here); a cut may come that much after its limit, plus scheduling on
// a busy machine: the bounds below allow a second of that.
const HEADERS_MS = 500;
const REQUEST_MS = 1_000;
const KEEP_ALIVE_MS = 500;
const SLACK_MS = 1_000;
const MAX_CONNECTIONS = 4;

let app: TestApp;
/** Server-side sockets, so a test can wait until the server has seen a connection end. */
const serverSockets = new Set<Socket>();

beforeAll(async () => {
  app = await startTestApp({
    server: {
      port: 0,
      host: "127.0.0.1",
      headersTimeout: `${HEADERS_MS}ms`,
      requestTimeout: `${REQUEST_MS}ms`,
      keepAliveTimeout: `${KEEP_ALIVE_MS}ms`,
      maxConnections: MAX_CONNECTIONS,
    },
  });
  app.server.on("connection", (socket: Socket) => {
    serverSockets.add(socket);
    socket.once("close", () => serverSockets.delete(socket));
  });
});
afterAll(() => app.stop());

/** Resolves once the server holds no connection (each one's close has been seen). */
async function serverIdle(): Promise<void> {
  for (const socket of [...serverSockets]) if (!socket.destroyed) await once(socket, "close");
}

describe("timeouts", () => {
  it("cuts a body trickling in at requestTimeout with 408 request_timeout", async () => {
    const c = await openRaw(app.url);
    const body = JSON.stringify(sampleEvent("deployment.created"));
    const started = performance.now();
    c.socket.write(
      `POST /ingest/vercel HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nx-vercel-signature: ${"0".repeat(40)}\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    void trickle(c.socket, [...body], 50);
    const closedAt = await c.closed;
    expect(closedAt - started).toBeGreaterThanOrEqual(REQUEST_MS - 50);
    expect(closedAt - started).toBeLessThan(REQUEST_MS + SLACK_MS);
    expect(statusOf(c.received())).toBe(408);
    expect(jsonBodyOf(c.received()).code).toBe("request_timeout");
  });

  it("cuts headers trickling in at headersTimeout with 408", async () => {
    const c = await openRaw(app.url);
    const started = performance.now();
    c.socket.write("POST /ingest/vercel HTTP/1.1\r\n");
    void trickle(
      c.socket,
      Array.from({ length: 100 }, (_, i) => `x-h${i}: ${"v".repeat(10)}\r\n`),
      40,
    );
    const closedAt = await c.closed;
    expect(closedAt - started).toBeGreaterThanOrEqual(HEADERS_MS - 50);
    expect(closedAt - started).toBeLessThan(HEADERS_MS + SLACK_MS);
    expect(statusOf(c.received())).toBe(408);
  });

  it("closes a connection that sends nothing at headersTimeout", async () => {
    const c = await openRaw(app.url);
    const closedAt = await c.closed;
    expect(closedAt - c.openedAt).toBeGreaterThanOrEqual(HEADERS_MS - 50);
    expect(closedAt - c.openedAt).toBeLessThan(HEADERS_MS + SLACK_MS);
  });

  it("closes an idle keep-alive connection after keepAliveTimeout (Node adds a second)", async () => {
    const c = await openRaw(app.url);
    c.socket.write("GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n");
    await once(c.socket, "data");
    const answeredAt = performance.now();
    expect(statusOf(c.received())).toBe(200);
    const closedAt = await c.closed;
    expect(closedAt - answeredAt).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - 50);
    expect(closedAt - answeredAt).toBeLessThan(KEEP_ALIVE_MS + 1_000 + SLACK_MS);
  });

  it("lets a normal signed event through, and counts the timeouts", async () => {
    const res = await sendVercel(app.url, sampleEvent("deployment.created"), VERCEL_SECRETS[0] as string);
    expect(res.status).toBe(200);
    expect(await metricValue(app.url, 'switchyard_http_client_errors_total{code="request_timeout"}')).toBe(3);
  });
});

describe("the connection cap", () => {
  it("closes connections past server.maxConnections at once, and takes new ones when some end", async () => {
    await serverIdle();
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => openRaw(app.url)));
    const extra = await openRaw(app.url);
    const closedAt = await extra.closed;
    // Closed long before any timeout could have done it, without a byte of answer.
    expect(closedAt - extra.openedAt).toBeLessThan(HEADERS_MS - 50);
    expect(extra.received()).toBe("");
    // The held connections are unharmed: one of them still gets an answer.
    const first = held[0] as (typeof held)[number];
    first.socket.write("GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    await first.closed;
    expect(statusOf(first.received())).toBe(200);
    for (const c of held) c.socket.destroy();
    await serverIdle();
    expect(await metricValue(app.url, "switchyard_http_connections_dropped_total")).toBe(1);
    const res = await sendVercel(app.url, sampleEvent("deployment.created"), VERCEL_SECRETS[0] as string);
    expect(res.status).toBe(200);
  });
});
