import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { sampleEvent } from "../../src/vercel/index.js";
import { api, OutcomeLog, startTestApp, VERCEL_SECRETS } from "../support/app.js";
import { sendVercel } from "../support/send.js";
import { FakeClock, Sink } from "../support/sink.js";

// What a person reads in the log about deliveries: each failure, each dead letter, the circuit
// opening and closing, replays and retries, and a sender's repeat as a duplicate; with the event,
// delivery and destination named, and never a body.

const SECRET = VERCEL_SECRETS[0] as string;

interface Line {
  level: number;
  msg: string;
  [key: string]: unknown;
}
const INFO = 30;
const WARN = 40;
const DEBUG = 20;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const lines: Line[] = [];
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split("\n")) if (text) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  const sink = await Sink.start();
  const clock = new FakeClock(Date.UTC(2026, 5, 1));
  const app = await startTestApp(
    {
      delivery: { allowPrivateNetworks: true },
      destinations: [{ slug: "hooks", url: sink.url, retry: { schedule: ["0s", "0s", "0s"], jitter: 0 } }],
      routes: [{ slug: "all", source: "vercel", destinations: ["hooks"] }],
    },
    {
      clock,
      logger: createLogger("debug", out),
      app: { circuit: { threshold: 2, baseCooldownMs: 60_000, maxCooldownMs: 60_000 } },
    },
  );
  cleanups.push(async () => {
    await app.stop();
    await sink.close();
  });
  return { app, sink, clock, lines, log: new OutcomeLog(app) };
}

const named = (lines: Line[], msg: string) => lines.filter((l) => l.msg === msg);

describe("the log of deliveries", () => {
  it("tells each failure, the dead letter, the circuit opening and closing, and a replay", async () => {
    const { app, sink, clock, lines, log } = await setup();
    sink.reply = () => ({ status: 503, body: "down for maintenance" });
    const event = sampleEvent("deployment.error") as { payload: unknown };
    const sent = await sendVercel(app.url, event, SECRET);
    const eventId = sent.body.eventId as string;
    const first = await log.next();
    const deliveryId = first.deliveryId;

    const retrying = named(lines, "delivery attempt failed, will retry");
    expect(retrying[0]).toMatchObject({
      level: INFO,
      destination: "hooks",
      deliveryId,
      eventId,
      type: "deployment.error",
      attempt: 1,
      status: 503,
      nextAttemptAt: new Date(clock.now()).toISOString(),
    });
    // The second failure in a row opens the circuit (threshold 2).
    await log.next();
    expect(named(lines, "circuit opened: deliveries to the destination pause")[0]).toMatchObject({
      level: WARN,
      destination: "hooks",
      tenant: "default",
      from: "closed",
      to: "open",
    });
    // The cool-down passes; the third attempt is the last of the schedule: a dead letter.
    clock.advance(60_000);
    app.worker.notify();
    await log.next((o) => o.status === "failed");
    expect(named(lines, "delivery failed for good: dead letter")).toEqual([
      expect.objectContaining({
        level: WARN,
        deliveryId,
        eventId,
        destination: "hooks",
        lastStatus: 503,
        attempt: 3,
      }),
    ]);

    // The probe after the cool-down fails too: open again, from half-open.
    expect(named(lines, "circuit opened: deliveries to the destination pause")[1]).toMatchObject({
      from: "half_open",
      to: "open",
    });

    // Fixed, then replayed: the replay is told, the success (debug) closes the circuit.
    sink.reply = () => ({ status: 200 });
    clock.advance(60_000);
    const replay = await api(app, `/api/v1/events/${eventId}/replay`, { method: "POST" });
    expect(replay.status).toBe(202);
    await log.next((o) => o.status === "succeeded");
    expect(named(lines, "event replayed")).toEqual([
      expect.objectContaining({
        level: INFO,
        eventId,
        deliveries: [expect.objectContaining({ destination: "hooks" })],
      }),
    ]);
    expect(named(lines, "delivered")).toEqual([
      expect.objectContaining({
        level: DEBUG,
        eventId,
        destination: "hooks",
        status: 200,
        trigger: "replay",
      }),
    ]);
    expect(named(lines, "circuit closed: deliveries resume")).toEqual([
      expect.objectContaining({ level: INFO, destination: "hooks", from: "half_open", to: "closed" }),
    ]);

    // The dead letter retried by hand.
    const retry = await api(app, `/api/v1/deliveries/${deliveryId}/retry`, { method: "POST" });
    expect(retry.status).toBe(202);
    expect(named(lines, "delivery retried by hand: pending, due now")).toEqual([
      expect.objectContaining({ level: INFO, deliveryId, eventId, destination: "hooks" }),
    ]);
    // Never a body, neither the event's nor the destination's answer.
    const text = JSON.stringify(lines);
    expect(text).not.toContain("down for maintenance");
    expect(text).not.toContain(JSON.stringify(event.payload).slice(0, 40));
  });

  it("logs a sender's repeat as a duplicate, not as stored", async () => {
    const { app, lines } = await setup();
    const event = sampleEvent("project.created");
    const a = await sendVercel(app.url, event, SECRET);
    const b = await sendVercel(app.url, event, SECRET);
    expect(b.body.eventId).toBe(a.body.eventId);
    expect(named(lines, "event stored")).toHaveLength(1);
    expect(named(lines, "duplicate event (already stored)")).toEqual([
      expect.objectContaining({ eventId: a.body.eventId, type: "project.created" }),
    ]);
  });
});
