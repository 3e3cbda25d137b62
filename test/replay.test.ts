import { afterEach, describe, expect, it } from "vitest";
import { sampleEvent } from "../src/vercel/index.js";
import { ADMIN_TOKEN, api, OutcomeLog, startTestApp, type TestApp, VERCEL_SECRETS } from "./support/app.js";
import { runCli } from "./support/child.js";
import { sendVercel } from "./support/send.js";
import { FakeClock, Sink } from "./support/sink.js";

const SECRET = VERCEL_SECRETS[0] as string;
const DAY = 86_400_000;
let app: TestApp;
let sinks: Sink[];
let log: OutcomeLog;

async function setup(clock?: FakeClock) {
  sinks = [await Sink.start(), await Sink.start()];
  app = await startTestApp(
    {
      delivery: { allowPrivateNetworks: true },
      destinations: [
        { slug: "once", url: sinks[0]?.url, retry: { schedule: ["0s"] } },
        { slug: "other", url: sinks[1]?.url },
      ],
      routes: [{ slug: "r", source: "vercel", types: ["deployment.*"], destinations: ["once"] }],
    },
    clock ? { clock, app: { pollMs: 3_600_000 } } : {},
  );
  log = new OutcomeLog(app);
}

afterEach(async () => {
  await app.stop();
  for (const s of sinks) await s.close();
});

/** Sends `n` events whose single attempt fails, leaving `n` dead letters. */
async function deadLetters(n: number): Promise<string[]> {
  const sink = sinks[0] as Sink;
  sink.reply = () => ({ status: 500 });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await sendVercel(app.url, sampleEvent("deployment.error"), SECRET)).body.eventId as string);
    expect((await log.next((o) => o.attempt !== null)).status).toBe("failed");
  }
  sink.reply = () => ({ status: 200 });
  return ids;
}

describe("replay", () => {
  it("replays one event to its routes' destinations, or to the ones named", async () => {
    await setup();
    const [eventId] = await deadLetters(1);
    const replay = await api(app, `/api/v1/events/${eventId}/replay`, { method: "POST" });
    expect(replay.status).toBe(202);
    expect((await log.next()).status).toBe("succeeded");
    expect((sinks[0] as Sink).received.at(-1)?.headers["x-switchyard-attempt"]).toBe("1");

    const named = await api(app, `/api/v1/events/${eventId}/replay`, {
      method: "POST",
      body: JSON.stringify({ destinations: ["other"] }),
    });
    expect((named.body.deliveries as { destination: string }[]).map((d) => d.destination)).toEqual(["other"]);
    expect((await log.next()).status).toBe("succeeded");
    const deliveries = await api(app, `/api/v1/deliveries?event=${eventId}`);
    expect((deliveries.body.data as { status: string }[]).map((d) => d.status).sort()).toEqual([
      "failed",
      "succeeded",
      "succeeded",
    ]);
  });

  it("refuses an unknown destination or event, and a malformed body, with stable codes", async () => {
    await setup();
    const [eventId] = await deadLetters(1);
    const bad = await api(app, `/api/v1/events/${eventId}/replay`, {
      method: "POST",
      body: JSON.stringify({ destinations: ["nope"] }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe("invalid_request");
    const shape = await api(app, `/api/v1/events/${eventId}/replay`, {
      method: "POST",
      body: JSON.stringify({ destinations: "once" }),
    });
    expect(shape.body.code).toBe("invalid_request");
    const json = await api(app, `/api/v1/events/${eventId}/replay`, { method: "POST", body: "{" });
    expect(json.body.code).toBe("invalid_json");
    const missing = await api(app, "/api/v1/events/evt_missing/replay", { method: "POST" });
    expect(missing.status).toBe(404);
  });

  it("bulk-replays dead letters: a dry run counts, a real run requeues them once", async () => {
    await setup();
    await deadLetters(3);
    const dry = await api(app, "/api/v1/replay", {
      method: "POST",
      body: JSON.stringify({ status: "failed", all: true, dryRun: true }),
    });
    expect(dry.body).toMatchObject({ matched: 3, enqueued: 0, dryRun: true });
    // A duration is that long before now, as the CLI takes it: they died moments ago.
    const recent = await api(app, "/api/v1/replay", {
      method: "POST",
      body: JSON.stringify({ status: "failed", since: "1h", dryRun: true }),
    });
    expect(recent.body).toMatchObject({ matched: 3 });
    const older = await api(app, "/api/v1/replay", {
      method: "POST",
      body: JSON.stringify({ status: "failed", until: "1h", dryRun: true }),
    });
    expect(older.body).toMatchObject({ matched: 0 });
    const real = await api(app, "/api/v1/replay", {
      method: "POST",
      body: JSON.stringify({ status: "failed", destination: "once", type: "deployment.error" }),
    });
    expect(real.body).toMatchObject({ matched: 3, enqueued: 3 });
    for (let i = 0; i < 3; i++) expect((await log.next()).status).toBe("succeeded");
    const again = await api(app, "/api/v1/replay", {
      method: "POST",
      body: JSON.stringify({ status: "failed", all: true }),
    });
    expect(again.body).toMatchObject({ matched: 0, enqueued: 0 });
    const detail = await api(app, `/api/v1/deliveries/${(await log.all.at(-1))?.deliveryId}`);
    expect((detail.body.attemptLog as { trigger: string }[]).map((a) => a.trigger)).toEqual([
      "initial",
      "replay",
    ]);
  });

  it("retries one delivery now, and the CLI replays through the API", { timeout: 30_000 }, async () => {
    await setup();
    const [eventId] = await deadLetters(2);
    const list = await api(app, `/api/v1/deliveries?event=${eventId}`);
    const id = (list.body.data as { id: string }[])[0]?.id;
    const retried = await api(app, `/api/v1/deliveries/${id}/retry`, { method: "POST" });
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ status: "pending", nextTrigger: "manual" });
    expect((await log.next()).status).toBe("succeeded");

    const dry = await runCli([
      "replay",
      "--status",
      "failed",
      "--since",
      "1h",
      "--dry-run",
      "--url",
      app.url,
      "--token",
      ADMIN_TOKEN,
    ]);
    expect(dry.stdout).toContain("1 deliveries match (dry run");
    const real = await runCli([
      "replay",
      "--status",
      "failed",
      "--destination",
      "once",
      "--url",
      app.url,
      "--token",
      ADMIN_TOKEN,
    ]);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain("1 deliveries matched, 1 enqueued");
    expect((await log.next()).status).toBe("succeeded");
  });
});

describe("retention", () => {
  it("purges finished deliveries, attempts and events older than the retention period", async () => {
    const clock = new FakeClock();
    await setup(clock);
    const [old] = await deadLetters(1);
    clock.advance(31 * DAY);
    const recent = (await sendVercel(app.url, sampleEvent("project.created"), SECRET)).body.eventId as string;
    // The event, its dead letter, and the switchyard.delivery.failed alert it raised.
    expect(await app.maintenance.runOnce()).toEqual({ events: 2, deliveries: 1 });
    expect((await api(app, `/api/v1/events/${old}`)).status).toBe(404);
    expect((await api(app, `/api/v1/events/${recent}`)).status).toBe(200);
  });
});
