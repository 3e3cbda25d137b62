import { afterAll, beforeAll, expect, it } from "vitest";
import { startHostileClients } from "../../bench/hostile-clients.js";
import { sampleEvent } from "../../src/vercel/index.js";
import { startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { sendVercel } from "../support/send.js";

// A smaller cousin of `npm run bench:hostile`, as a correctness bound, not a speed test: with
// clients who know no secret holding connections, trickling headers and bodies and sending
// unsigned and forged bodies, every valid event sent meanwhile is stored and answered 200, each
// well within the 30 s after which Vercel's sender gives up.
const KIB = 1024;
const AT_ONCE = 6;
const BOUND_MS = 10_000;
const SLOW = 30;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    server: { port: 0, host: "127.0.0.1", headersTimeout: "1s", requestTimeout: "2s" },
    limits: {
      maxBodyBytes: 256 * KIB,
      maxUnverifiedBytesPerClient: 1024 * KIB,
      maxUnverifiedBytes: 4096 * KIB,
    },
  });
});
afterAll(() => app.stop());

it("stores and answers 200 every valid event sent during a hostile load", { timeout: 60_000 }, async () => {
  const hostile = startHostileClients(
    app.url,
    "127.0.0.2",
    { slowBodies: SLOW, headerTrickles: SLOW, unsignedBodies: 4, forgedBodies: 4, badSignatures: 4 },
    { bodyBytes: 256 * KIB },
  );
  const answers: { status: number; eventId: string; ms: number }[] = [];
  const ended = (kind: string) => Object.values(hostile.outcomes[kind] ?? {}).reduce((a, b) => a + b, 0);
  // Valid events go on until every slow connection has been cut once, so they meet the whole load.
  const underWay = () =>
    ended("slowBodies") < SLOW || ended("headerTrickles") < SLOW || ended("forgedBodies") === 0;
  try {
    let next = 0;
    const sender = async () => {
      while (underWay()) {
        const event = { ...sampleEvent("deployment.created"), id: `valid-under-load-${next++}` };
        const started = performance.now();
        const res = await sendVercel(app.url, event, VERCEL_SECRETS[0] as string);
        answers.push({
          status: res.status,
          eventId: res.body.eventId as string,
          ms: performance.now() - started,
        });
      }
    };
    await Promise.all(Array.from({ length: AT_ONCE }, sender));
  } finally {
    await hostile.stop();
  }
  // The load met the bounds: trickles and slow bodies cut (408, or 503 for a full share).
  expect(hostile.outcomes.headerTrickles?.["408"]).toBeGreaterThanOrEqual(SLOW);
  expect(ended("slowBodies")).toBeGreaterThanOrEqual(SLOW);
  expect(answers.length).toBeGreaterThan(0);
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(BOUND_MS);
  for (const a of answers)
    expect(await app.store.forTenant("default").getEvent(a.eventId), a.eventId).not.toBeNull();
});
