import { afterEach, describe, expect, it } from "vitest";
import { sampleEvent } from "../src/vercel/index.js";
import { api, OutcomeLog, startTestApp, type TestApp, VERCEL_SECRETS } from "./support/app.js";
import { sendVercel } from "./support/send.js";
import { FakeClock, type Received, Sink } from "./support/sink.js";

const SECRET = VERCEL_SECRETS[0] as string;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  destination: Record<string, unknown>,
  options: { clock?: FakeClock; private?: boolean } = {},
) {
  const sink = await Sink.start();
  const app: TestApp = await startTestApp(
    {
      delivery: { allowPrivateNetworks: options.private ?? true },
      destinations: [{ slug: "d", url: sink.url, ...destination }],
      routes: [{ slug: "r", source: "vercel", destinations: ["d"] }],
    },
    options.clock ? { clock: options.clock, app: { pollMs: 3_600_000, random: () => 0.5 } } : {},
  );
  cleanups.push(async () => {
    await sink.close();
    await app.stop();
  });
  return { app, sink, log: new OutcomeLog(app) };
}

const send = (app: TestApp, id: string) =>
  sendVercel(app.url, { ...sampleEvent("deployment.created"), id }, SECRET);

describe("per-destination limits", () => {
  it("fifo: one at a time, in order, the head of the line waiting out its retries", async () => {
    const clock = new FakeClock();
    const { app, sink, log } = await setup(
      { ordering: "fifo", retry: { schedule: ["0s", "10s"], jitter: 0 } },
      { clock },
    );
    sink.reply = (r: Received) =>
      r.json.id === "e1" && sink.received.filter((x) => x.json.id === "e1").length === 1
        ? { status: 500 }
        : { status: 200 };
    for (const id of ["e1", "e2", "e3"]) await send(app, id);
    expect((await log.next()).status).toBe("pending");
    await log.idleAfter(1);
    expect(sink.received.map((r) => r.json.id)).toEqual(["e1"]);
    clock.advance(10_000);
    app.worker.notify();
    for (let i = 0; i < 3; i++) expect((await log.next()).status).toBe("succeeded");
    expect(sink.received.map((r) => r.json.id)).toEqual(["e1", "e1", "e2", "e3"]);
  });

  it("never has more than maxConcurrency requests in flight", async () => {
    const { app, sink, log } = await setup({ maxConcurrency: 2 });
    let most = 0;
    sink.reply = () => {
      most = Math.max(most, sink.hangingCount + 1);
      return "hang";
    };
    for (let i = 0; i < 6; i++) await send(app, `c${i}`);
    // Answer one at a time; each answer frees exactly one slot.
    for (let done = 0; done < 6; done++) {
      await sink.waitFor(Math.min(6, done + 2));
      expect(sink.hangingCount).toBeLessThanOrEqual(2);
      sink.answerOldest();
      expect((await log.next()).status).toBe("succeeded");
    }
    expect(sink.received).toHaveLength(6);
    expect(most).toBe(2);
  });

  it("keeps to the rate limit", async () => {
    const clock = new FakeClock();
    const { app, sink, log } = await setup({ rateLimit: "2/m" }, { clock });
    for (let i = 0; i < 5; i++) await send(app, `r${i}`);
    await log.idleAfter(2);
    expect(sink.received).toHaveLength(2);
    clock.advance(30_000);
    app.worker.notify();
    await log.idleAfter(3);
    expect(sink.received).toHaveLength(3);
  });
});

describe("the SSRF guard in delivery", () => {
  it("records ssrf_blocked for a destination on loopback unless private networks are allowed", async () => {
    const { app, sink, log } = await setup({}, { private: false });
    const res = await send(app, "ssrf-1");
    const outcome = await log.next();
    expect(outcome.attempt?.error).toBe("ssrf_blocked");
    expect(sink.received).toHaveLength(0);
    const list = await api(app, `/api/v1/deliveries?event=${res.body.eventId as string}`);
    expect((list.body.data as { lastError: string }[])[0]?.lastError).toBe("ssrf_blocked");
  });

  it("lets one destination opt in with allowPrivateNetwork", async () => {
    const { app, sink, log } = await setup({ allowPrivateNetwork: true }, { private: false });
    await send(app, "ssrf-2");
    expect((await log.next()).status).toBe("succeeded");
    expect(sink.received).toHaveLength(1);
  });
});

describe("graceful shutdown", () => {
  it("finishes and records the attempts in flight before it stops", async () => {
    const sink = await Sink.start();
    const app = await startTestApp({
      delivery: { allowPrivateNetworks: true },
      destinations: [{ slug: "d", url: sink.url }],
      routes: [{ slug: "r", source: "vercel", destinations: ["d"] }],
    });
    const log = new OutcomeLog(app);
    sink.reply = () => "hang";
    await send(app, "slow-1");
    await sink.waitFor(1);
    const closing = app.close();
    // Shutdown has begun with the request still in flight; the sink answers only now.
    sink.answerOldest(200);
    await closing;
    await sink.close();
    expect(log.all.map((o) => o.status)).toEqual(["succeeded"]);
    const reopened = await startTestApp({}, { dir: app.dir });
    const [delivery] = await reopened.store.forTenant("default").listDeliveries({ limit: 10 });
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 1 });
    await reopened.stop();
  });
});
