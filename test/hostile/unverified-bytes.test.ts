import { afterEach, describe, expect, it } from "vitest";
import { clientKey, UnverifiedBytes } from "../../src/ingest/unverified-bytes.js";
import { sampleEvent } from "../../src/vercel/index.js";
import { startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { jsonBodyOf, metricValue, openRaw, type RawConnection, statusOf } from "../support/raw-http.js";
import { sendVercel } from "../support/send.js";

const KIB = 1024;
const BODY = 256 * KIB;
const PER_CLIENT = 512 * KIB;
const TOTAL = 1024 * KIB;
/** Node reads a socket 64 KiB at a time: a share is refused with at most one chunk short of full. */
const CHUNK = 64 * KIB;

let app: TestApp;
afterEach(() => app.stop());

async function start() {
  app = await startTestApp({
    // The held bodies end at requestTimeout, so every hostile connection ends within the test.
    server: { port: 0, host: "127.0.0.1", headersTimeout: "1s", requestTimeout: "2s", maxConnections: 500 },
    limits: { maxBodyBytes: BODY, maxUnverifiedBytesPerClient: PER_CLIENT, maxUnverifiedBytes: TOTAL },
  });
}

/**
 * Opens `count` connections from `address`, each declaring a BODY-byte body with a made-up
 * signature and sending all of it but its last byte: bodies that are never finished nor verified.
 */
async function holdBodies(address: string, count: number): Promise<RawConnection[]> {
  const connections = await Promise.all(Array.from({ length: count }, () => openRaw(app.url, address)));
  await Promise.all(
    connections.map(
      (c) =>
        new Promise<void>((resolve) => {
          const head = `POST /ingest/vercel HTTP/1.1\r\nhost: x\r\nx-vercel-signature: ${"0".repeat(40)}\r\ncontent-length: ${BODY}\r\n\r\n`;
          c.socket.write(head + "x".repeat(BODY - 1), () => resolve());
        }),
    ),
  );
  return connections;
}

async function unverified() {
  return {
    now: await metricValue(app.url, "switchyard_ingest_unverified_bytes"),
    peak: await metricValue(app.url, "switchyard_ingest_unverified_bytes_peak"),
  };
}

describe("bytes of unverified bodies", () => {
  it("holds one client to its share while a valid event from another is stored and answered 200", async () => {
    await start();
    const hostile = await holdBodies("127.0.0.2", 30);
    const event = sampleEvent("deployment.created");
    const res = await sendVercel(app.url, event, VERCEL_SECRETS[0] as string);
    expect(res.status).toBe(200);
    const stored = await app.store.forTenant("default").getEvent(res.body.eventId as string);
    expect(Buffer.from(stored?.body ?? []).toString()).toBe(JSON.stringify(event));

    await Promise.all(hostile.map((c) => c.closed));
    const statuses = hostile.map((c) => statusOf(c.received()));
    const refused = hostile.filter((c) => statusOf(c.received()) === 503);
    expect(refused.length).toBeGreaterThanOrEqual(30 - PER_CLIENT / BODY);
    const first = (refused[0] as RawConnection).received();
    expect(jsonBodyOf(first).code).toBe("overloaded");
    expect(first).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(first).toMatch(/\r\nconnection: close\r\n/i);
    // The rest held their share until requestTimeout cut them.
    expect(statuses.filter((s) => s !== 503).every((s) => s === 408)).toBe(true);

    const bytes = await unverified();
    // The attacker's share filled up (to within a chunk), and never more than that was held
    // (plus the valid event's own body while it was read).
    expect(bytes.peak).toBeGreaterThan(PER_CLIENT - CHUNK);
    expect(bytes.peak).toBeLessThanOrEqual(PER_CLIENT + JSON.stringify(event).length);
    // Everything was given back when the connections ended.
    expect(bytes.now).toBe(0);
  });

  it("bounds the bytes of many clients together by limits.maxUnverifiedBytes", async () => {
    await start();
    const hostile = (
      await Promise.all(["127.0.0.3", "127.0.0.4", "127.0.0.5"].map((a) => holdBodies(a, 12)))
    ).flat();
    await Promise.all(hostile.map((c) => c.closed));
    expect(hostile.some((c) => statusOf(c.received()) === 503)).toBe(true);
    const bytes = await unverified();
    expect(bytes.peak).toBeGreaterThan(TOTAL - 3 * CHUNK);
    expect(bytes.peak).toBeLessThanOrEqual(TOTAL);
    expect(bytes.now).toBe(0);
    expect(
      await metricValue(app.url, 'switchyard_ingest_requests_total{source="vercel",outcome="overloaded"}'),
    ).toBe(hostile.filter((c) => statusOf(c.received()) === 503).length);
  });
});

describe("a client's share", () => {
  it("is per IPv4 address, and per /64 for IPv6 however it is written", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    const a = clientKey("2001:db8:0:1::5");
    expect(a).toBe("2001:db8:0:1::/64");
    expect(clientKey("2001:0db8:0000:0001:ffff:0:0:9")).toBe(a);
    expect(clientKey("2001:db8:0:2::5")).not.toBe(a);
    expect(clientKey("::1")).toBe("0:0:0:0::/64");
    expect(clientKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });

  it("gives back what a hold took, once, however often it is released", () => {
    const budget = new UnverifiedBytes(100, 60);
    const a = budget.hold("192.0.2.1");
    const b = budget.hold("192.0.2.1");
    const c = budget.hold("192.0.2.2");
    expect(a.take(50)).toBe(true);
    expect(b.take(20)).toBe(false); // past the client's 60
    expect(c.take(51)).toBe(false); // past the 100 in all
    expect(c.take(40)).toBe(true);
    expect(budget.bytes).toBe(90);
    a.release();
    a.release();
    expect(budget.bytes).toBe(40);
    expect(b.take(60)).toBe(true);
    c.release();
    b.release();
    expect(budget.bytes).toBe(0);
    expect(budget.peak).toBe(100);
  });
});
