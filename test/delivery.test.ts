import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, it } from "vitest";
import { sampleEvent } from "../src/vercel/index.js";
import { api, OutcomeLog, startTestApp, VERCEL_SECRETS } from "./support/app.js";
import { sendVercel } from "./support/send.js";
import { FakeClock, Sink } from "./support/sink.js";

const SECRET = VERCEL_SECRETS[0] as string;
const WHSEC_A = `whsec_${Buffer.from("a".repeat(32)).toString("base64")}`;
const WHSEC_B = `whsec_${Buffer.from("b".repeat(32)).toString("base64")}`;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  destinations: Record<string, unknown>[],
  routes: Record<string, unknown>[],
  clock?: FakeClock,
) {
  const sinks: Sink[] = [];
  for (let i = 0; i < destinations.length; i++) sinks.push(await Sink.start());
  const app = await startTestApp(
    {
      delivery: { allowPrivateNetworks: true },
      destinations: destinations.map((d, i) => ({ url: sinks[i]?.url, ...d })),
      routes,
    },
    { ...(clock ? { clock } : {}), app: { random: () => 0.5, ...(clock ? { pollMs: 3_600_000 } : {}) } },
  );
  cleanups.push(async () => {
    await app.stop();
    for (const s of sinks) await s.close();
  });
  return { app, sinks, log: new OutcomeLog(app) };
}

function deployment(type: string, target = "production") {
  const e = sampleEvent(type) as { payload: { target?: string | null } };
  e.payload.target = target;
  return e;
}

describe("routing", () => {
  it("fans out to every matching route's destinations, once per destination", async () => {
    const { app, sinks, log } = await setup(
      [{ slug: "ops" }, { slug: "audit" }, { slug: "never" }],
      [
        { slug: "all-deploys", source: "vercel", types: ["deployment.*"], destinations: ["ops", "audit"] },
        {
          slug: "prod-failures",
          source: "vercel",
          filter: {
            logic: "and",
            conditions: [
              { field: "type", operator: "equals", value: "deployment.error" },
              { field: "payload.target", operator: "equals", value: "production" },
            ],
          },
          destinations: ["ops"],
        },
        { slug: "projects", source: "vercel", types: ["project.*"], destinations: ["never"] },
      ],
    );
    const res = await sendVercel(app.url, deployment("deployment.error"), SECRET);
    await log.next();
    await log.next();
    const [ops, audit, never] = sinks as [Sink, Sink, Sink];
    expect(ops.received).toHaveLength(1);
    expect(audit.received).toHaveLength(1);
    expect(never.received).toHaveLength(0);
    const list = await api(app, `/api/v1/deliveries?event=${res.body.eventId as string}`);
    const byDest = Object.fromEntries(
      (list.body.data as { destination: string; routes: string[] }[]).map((d) => [d.destination, d.routes]),
    );
    expect(byDest).toEqual({ ops: ["all-deploys", "prod-failures"], audit: ["all-deploys"] });
  });

  it("sends the stored bytes unchanged with Switchyard's headers", async () => {
    const { app, sinks, log } = await setup(
      [{ slug: "ops", headers: { "x-team": "ops" } }],
      [{ slug: "r", source: "vercel", destinations: ["ops"] }],
    );
    const body = `{"id":"raw-1","type":"deployment.created", "payload":{"deployment":{"id":"dpl_1"}},  "createdAt":1}`;
    await sendVercel(app.url, body, SECRET);
    await log.next();
    const got = (sinks[0] as Sink).received[0];
    expect(got?.body.toString()).toBe(body);
    expect(got?.headers).toMatchObject({
      "content-type": "application/json",
      "x-switchyard-event-type": "deployment.created",
      "x-switchyard-attempt": "1",
      "x-team": "ops",
    });
    expect(got?.headers["user-agent"]).toMatch(/^Switchyard\/\d+\.\d+\.\d+/);
  });
});

describe("signing", () => {
  it("signs with every standard-webhooks secret, verifiable by the standardwebhooks package", async () => {
    const { app, sinks, log } = await setup(
      [{ slug: "sw", signing: { scheme: "standard-webhooks", secrets: [WHSEC_A, WHSEC_B] } }],
      [{ slug: "r", source: "vercel", destinations: ["sw"] }],
    );
    await sendVercel(app.url, sampleEvent("project.created"), SECRET);
    const outcome = await log.next();
    const got = (sinks[0] as Sink).received[0];
    const headers = got?.headers as Record<string, string>;
    expect(headers["webhook-id"]).toBe(outcome.deliveryId);
    for (const secret of [WHSEC_A, WHSEC_B]) {
      expect(() => new Webhook(secret).verify(got?.body.toString() as string, headers)).not.toThrow();
    }
    expect(() =>
      new Webhook(`whsec_${Buffer.from("c".repeat(32)).toString("base64")}`).verify(
        got?.body.toString() as string,
        headers,
      ),
    ).toThrow();
  });

  it("signs x-vercel-signature over the exact bytes sent", async () => {
    const { app, sinks, log } = await setup(
      [{ slug: "v", signing: { scheme: "vercel", secrets: ["downstream-secret"] } }],
      [{ slug: "r", source: "vercel", destinations: ["v"] }],
    );
    await sendVercel(app.url, sampleEvent("project.created"), SECRET);
    await log.next();
    const got = (sinks[0] as Sink).received[0];
    const expected = createHmac("sha1", "downstream-secret")
      .update(got?.body as Buffer)
      .digest("hex");
    expect(got?.headers["x-vercel-signature"]).toBe(expected);
  });
});

describe("retries on a clock the test owns", () => {
  it("follows the default schedule, then dead-letters and raises switchyard.delivery.failed", async () => {
    const clock = new FakeClock();
    const { app, sinks, log } = await setup(
      [{ slug: "flaky" }, { slug: "alerts" }],
      [
        { slug: "r", source: "vercel", destinations: ["flaky"] },
        {
          slug: "alerting",
          source: "switchyard",
          types: ["switchyard.delivery.failed"],
          destinations: ["alerts"],
        },
      ],
      clock,
    );
    const [flaky, alerts] = sinks as [Sink, Sink];
    flaky.reply = () => ({ status: 500, body: "down" });
    const start = clock.now();
    await sendVercel(app.url, deployment("deployment.created"), SECRET);
    const delays = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR];
    let at = start;
    for (const delay of delays) {
      const o = await log.next((x) => x.attempt !== null && x.destinationChange?.destination === "flaky");
      expect(o.status).toBe("pending");
      expect(o.nextAttemptAt).toBe(at + delay);
      at += delay;
      clock.set(at);
      app.worker.notify();
    }
    const last = await log.next((x) => x.destinationChange?.destination === "flaky");
    expect(last.status).toBe("failed");
    expect(flaky.received).toHaveLength(7);
    expect(flaky.received.map((r) => r.headers["x-switchyard-attempt"])).toEqual([
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
      "7",
    ]);
    // The alert goes out on its own route.
    await alerts.waitFor(1);
    expect(alerts.received[0]?.json).toMatchObject({
      type: "switchyard.delivery.failed",
      payload: { destination: "flaky", attempts: 7, lastStatus: 500 },
    });
    const failed = await api(app, "/api/v1/deliveries?status=failed");
    expect(failed.body.data).toHaveLength(1);
  });

  it("stops at maxAge even when the schedule has attempts left", async () => {
    const clock = new FakeClock();
    const { app, sinks, log } = await setup(
      [{ slug: "d", retry: { schedule: ["0s", "1m", "1h", "2h"], maxAge: "90m", jitter: 0 } }],
      [{ slug: "r", source: "vercel", destinations: ["d"] }],
      clock,
    );
    (sinks[0] as Sink).reply = () => ({ status: 503 });
    const start = clock.now();
    await sendVercel(app.url, deployment("deployment.created"), SECRET);
    expect((await log.next()).nextAttemptAt).toBe(start + MINUTE);
    clock.set(start + MINUTE);
    app.worker.notify();
    expect((await log.next()).nextAttemptAt).toBe(start + MINUTE + HOUR);
    clock.set(start + MINUTE + HOUR);
    app.worker.notify();
    const third = await log.next();
    expect(third.status).toBe("failed");
    expect((sinks[0] as Sink).received).toHaveLength(3);
  });

  it("honours Retry-After on 429", async () => {
    const clock = new FakeClock();
    const { app, sinks, log } = await setup(
      [{ slug: "d" }],
      [{ slug: "r", source: "vercel", destinations: ["d"] }],
      clock,
    );
    (sinks[0] as Sink).reply = (_r, i) =>
      i === 0 ? { status: 429, headers: { "retry-after": "120" } } : { status: 200 };
    const start = clock.now();
    await sendVercel(app.url, deployment("deployment.created"), SECRET);
    const first = await log.next();
    expect(first.nextAttemptAt).toBe(start + 120 * SECOND);
    clock.set(start + 120 * SECOND);
    app.worker.notify();
    expect((await log.next()).status).toBe("succeeded");
  });
});

describe("sink failures", () => {
  it("records a timeout, a reset and a 500 as failed attempts with their kind", async () => {
    const { app, sinks, log } = await setup(
      [{ slug: "d", timeout: "300ms", retry: { schedule: ["0s", "0s", "0s", "0s"], jitter: 0 } }],
      [{ slug: "r", source: "vercel", destinations: ["d"] }],
    );
    const replies = ["hang", "reset", { status: 500, body: "x".repeat(40_000) }, { status: 204 }] as const;
    (sinks[0] as Sink).reply = (_r, i) => replies[i] ?? { status: 200 };
    const res = await sendVercel(app.url, deployment("deployment.created"), SECRET);
    const outcomes = [await log.next(), await log.next(), await log.next(), await log.next()];
    expect(outcomes.map((o) => o.attempt?.error ?? o.attempt?.status)).toEqual([
      "timeout",
      "reset",
      500,
      204,
    ]);
    expect(outcomes.at(-1)?.status).toBe("succeeded");
    const list = await api(app, `/api/v1/deliveries?event=${res.body.eventId as string}`);
    const id = (list.body.data as { id: string }[])[0]?.id;
    const detail = await api(app, `/api/v1/deliveries/${id}`);
    const log3 = (detail.body.attemptLog as { status: number; response: { body: string } }[])[2];
    expect(log3?.status).toBe(500);
    expect(log3?.response.body.length).toBeLessThanOrEqual(16 * 1024);
    expect(detail.body).toMatchObject({ status: "succeeded", attempts: 4 });
  });

  it("disables a destination that answers 410 and keeps its deliveries pending until enabled", async () => {
    const clock = new FakeClock();
    const { app, sinks, log } = await setup(
      [{ slug: "gone" }],
      [{ slug: "r", source: "vercel", destinations: ["gone"] }],
      clock,
    );
    const sink = sinks[0] as Sink;
    sink.reply = (_r, i) => (i === 0 ? { status: 410 } : { status: 200 });
    await sendVercel(app.url, deployment("deployment.created"), SECRET);
    const first = await log.next();
    expect(first.status).toBe("pending");
    let list = await api(app, "/api/v1/destinations");
    expect((list.body.data as { state: string; pending: number }[])[0]).toMatchObject({
      state: "disabled",
      pending: 1,
    });
    // Long past the retry time, nothing is sent while disabled.
    await sendVercel(app.url, deployment("deployment.created"), SECRET);
    clock.advance(HOUR);
    app.worker.notify();
    await new Promise<void>((resolve) => app.worker.once("idle", resolve));
    expect(sink.received).toHaveLength(1);
    const enabled = await api(app, "/api/v1/destinations/gone/enable", { method: "POST" });
    expect(enabled.body).toMatchObject({ state: "active" });
    await log.next();
    await log.next();
    expect(sink.received).toHaveLength(3);
    list = await api(app, "/api/v1/destinations");
    expect((list.body.data as { pending: number }[])[0]?.pending).toBe(0);
  });

  it("opens the circuit after consecutive failures, then sends one probe after the cool-down", async () => {
    const clock = new FakeClock();
    const { app, sinks, log } = await setup(
      [{ slug: "d", retry: { schedule: ["0s", "1s"], jitter: 0 }, maxConcurrency: 1 }],
      [{ slug: "r", source: "vercel", destinations: ["d"] }],
      clock,
    );
    const sink = sinks[0] as Sink;
    sink.reply = () => ({ status: 500 });
    for (let i = 0; i < 12; i++) await sendVercel(app.url, deployment("deployment.created"), SECRET);
    for (let i = 0; i < 10; i++) await log.next();
    await log.idleAfter(10);
    expect(sink.received).toHaveLength(10);
    const health = await api(app, "/api/v1/destinations");
    expect((health.body.data as { circuit: string; consecutiveFailures: number }[])[0]).toMatchObject({
      circuit: "open",
      consecutiveFailures: 10,
    });
    sink.reply = () => ({ status: 200 });
    clock.advance(30 * SECOND);
    app.worker.notify();
    const probe = await log.next();
    expect(probe.status).toBe("succeeded");
    const closed = await api(app, "/api/v1/destinations");
    expect((closed.body.data as { circuit: string }[])[0]?.circuit).toBe("closed");
  });
});

describe("types globs", () => {
  it("match either of Vercel's spellings, whichever the glob and the event use", async () => {
    const { app, sinks, log } = await setup(
      [{ slug: "certs" }],
      [{ slug: "r", source: "vercel", types: ["domain.certificate.*"], destinations: ["certs"] }],
    );
    await sendVercel(app.url, sampleEvent("domain.certificate-add"), SECRET);
    await sendVercel(app.url, sampleEvent("domain.certificate.renew"), SECRET);
    await log.next();
    await log.next();
    expect((sinks[0] as Sink).received.map((r) => r.json.type).sort()).toEqual([
      "domain.certificate-add",
      "domain.certificate.renew",
    ]);
  });
});
