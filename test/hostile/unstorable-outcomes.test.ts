// What a destination answers, or a transform throws, may hold bytes no text column can: NUL, a
// gzip body. Recording the outcome must never fail for it, and an outcome that cannot be recorded
// must never turn into the same event sent again and again.
import { once } from "node:events";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { api, OutcomeLog, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { execOnAppDatabase, failingInsert } from "../support/database.js";
import { sendVercel } from "../support/send.js";
import { FakeClock, type Reply, Sink } from "../support/sink.js";

const SECRET = VERCEL_SECRETS[0] as string;
/** Far past any lease (timeout + 30 s) and well inside `maxAge`. */
const PAST_THE_LEASE = 10 * 60_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Attempt {
  status: number | null;
  error: string | null;
  errorMessage: string | null;
  response: {
    headers: Record<string, string> | null;
    body: string | null;
    bodyEncoding: string | null;
  } | null;
}

/** One destination behind one route (with `transform` if given), on a clock the test moves. */
async function setup(reply: (i: number) => Reply, transform?: Record<string, unknown>) {
  const clock = new FakeClock(Date.now());
  const sink = await Sink.start();
  cleanups.push(() => sink.close());
  sink.reply = (_r, i) => reply(i);
  const app = await startTestApp(
    {
      delivery: { allowPrivateNetworks: true },
      destinations: [{ slug: "sink", url: sink.url }],
      routes: [
        { slug: "all", source: "vercel", destinations: ["sink"], ...(transform ? { transform } : {}) },
      ],
    },
    { clock, app: { pollMs: 3_600_000, random: () => 0.5 } },
  );
  cleanups.push(() => app.stop());
  return { app, sink, clock, log: new OutcomeLog(app) };
}

/** The delivery of `eventId` and its attempt log, through the API. */
async function deliveryOf(app: TestApp, eventId: string) {
  const list = await api(app, `/api/v1/deliveries?event=${eventId}`);
  const [first] = list.body.data as { id: string }[];
  const detail = await api(app, `/api/v1/deliveries/${first?.id}`);
  return detail.body as {
    status: string;
    transform: string | null;
    lastError: string | null;
    attemptLog: Attempt[];
  };
}

/**
 * Moves the clock past every lease and lets the worker look at the store until it is idle: a
 * delivery whose outcome was not recorded would be claimed and sent again now.
 */
async function afterLeasesExpire(app: TestApp, clock: FakeClock) {
  clock.advance(PAST_THE_LEASE);
  const idle = once(app.worker, "idle");
  app.worker.notify();
  await idle;
}

describe("a destination's answer that is not storable text", () => {
  it.each([
    ["with NUL", Buffer.from("error\u0000detail")],
    ["gzip-compressed", gzipSync(Buffer.from('{"error":"detail"}'))],
  ])("is recorded whole, base64, from one POST: a body %s", async (_what, body) => {
    const { app, sink, clock, log } = await setup(() => ({
      status: 200,
      headers: { "content-type": "application/octet-stream" },
      body,
    }));
    const sent = await sendVercel(app.url, sampleEvent("deployment.created"), SECRET);
    const eventId = sent.body.eventId as string;
    await log.next();
    await afterLeasesExpire(app, clock);
    expect(sink.received).toHaveLength(1);

    const delivery = await deliveryOf(app, eventId);
    expect(delivery.status).toBe("succeeded");
    expect(delivery.attemptLog).toHaveLength(1);
    const [attempt] = delivery.attemptLog;
    expect(attempt?.status).toBe(200);
    expect(attempt?.response?.bodyEncoding).toBe("base64");
    expect(Buffer.from(attempt?.response?.body ?? "", "base64")).toEqual(body);
  });

  it("keeps a text body as text", async () => {
    const { app, log } = await setup(() => ({ status: 500, body: "upstream said café" }));
    const sent = await sendVercel(app.url, sampleEvent("deployment.created"), SECRET);
    await log.next();
    const [attempt] = (await deliveryOf(app, sent.body.eventId as string)).attemptLog;
    expect(attempt?.response).toMatchObject({ body: "upstream said café", bodyEncoding: "utf8" });
  });
});

describe("a transform error holding NUL", () => {
  it("fails the delivery with its message, once, instead of expiring it", async () => {
    const { app, sink, clock, log } = await setup(() => ({ status: 200 }), {
      code: 'function transform(){ throw new Error("bad\\u0000thing") }',
    });
    const sent = await sendVercel(app.url, sampleEvent("deployment.created"), SECRET);
    const eventId = sent.body.eventId as string;
    await log.next();
    await afterLeasesExpire(app, clock);

    const delivery = await deliveryOf(app, eventId);
    expect(delivery).toMatchObject({ status: "failed", transform: "failed" });
    expect(delivery.lastError).toMatch(/^transform_failed: .*bad\uFFFDthing/);
    expect(delivery.attemptLog).toHaveLength(1);
    expect(delivery.attemptLog[0]).toMatchObject({ error: "transform_failed" });
    expect(delivery.attemptLog[0]?.errorMessage).toMatch(/bad\uFFFDthing/);
    expect(sink.received).toHaveLength(0);
  });
});

describe("an outcome the database refuses", () => {
  it("is recorded without its response, saying so, and the event is not sent again", async () => {
    const { app, sink, clock, log } = await setup(() => ({ status: 200, body: "poison" }));
    // A real refusal, not a mocked store: the database will not take this attempt's row.
    await execOnAppDatabase(app, failingInsert("attempts", "NEW.response_body = 'poison'"));
    const sent = await sendVercel(app.url, sampleEvent("deployment.created"), SECRET);
    const eventId = sent.body.eventId as string;
    await log.next();
    await afterLeasesExpire(app, clock);
    expect(sink.received).toHaveLength(1);

    const delivery = await deliveryOf(app, eventId);
    expect(delivery.status).toBe("succeeded");
    expect(delivery.attemptLog).toHaveLength(1);
    expect(delivery.attemptLog[0]).toMatchObject({
      status: 200,
      response: { headers: null, body: null, bodyEncoding: null },
    });
    expect(delivery.attemptLog[0]?.errorMessage).toMatch(/^the outcome could not be stored in full: /);
  });
});
