// A NUL character in an event's id, type or payload keys (JSON allows "\u0000"): PostgreSQL text
// cannot hold it, and a row that cannot be stored must never fail the events committed with it.
import { afterEach, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { api, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { execOnAppDatabase, failingInsert } from "../support/database.js";
import { sendVercel } from "../support/send.js";
import { FakeClock, Sink } from "../support/sink.js";

const SECRET = VERCEL_SECRETS[0] as string;

let app: TestApp | undefined;
let sink: Sink | undefined;
afterEach(async () => {
  await app?.stop();
  await sink?.close();
  app = undefined;
  sink = undefined;
});

/** A valid deployment event with its own id. */
function valid(i: number) {
  return { ...sampleEvent("deployment.created"), id: `evt_valid_${i}` };
}

describe("NUL in an event", () => {
  it("stores ids, types and schema issues holding NUL as U+FFFD, keeps the raw body, and fails no neighbour", async () => {
    const running = await startTestApp();
    app = running;
    const base = sampleEvent("deployment.created") as {
      payload: { deployment: Record<string, unknown> } & Record<string, unknown>;
    };
    const nulId = { ...base, id: "evt_nul\u0000id" };
    const nulType = { ...base, id: "evt_nul_type", type: "deployment.\u0000created" };
    // A key with NUL in a record the schema types: the schema issue names it.
    const nulKey = {
      ...base,
      id: "evt_nul_key",
      payload: { ...base.payload, deployment: { ...base.payload.deployment, meta: { "k\u0000": 5 } } },
    };
    const hostile = [nulId, nulType, nulKey];
    // Concurrent requests share group commits: the hostile events go in the middle of the burst.
    const events = Array.from({ length: 200 }, (_, i) => valid(i));
    events.splice(60, 0, nulId);
    events.splice(120, 0, nulType);
    events.splice(180, 0, nulKey);
    const bodies = events.map((e) => JSON.stringify(e));
    const answers = await Promise.all(bodies.map((body) => sendVercel(running.url, body, SECRET)));
    expect(answers.map((a) => a.status)).toEqual(events.map(() => 200));

    const idOf = (e: object) => answers[events.indexOf(e as never)]?.body.eventId as string;
    const read = async (e: object) => (await api(running, `/api/v1/events/${idOf(e)}`)).body;
    expect(await read(nulId)).toMatchObject({ externalId: "evt_nul\uFFFDid" });
    expect(await read(nulType)).toMatchObject({
      type: "deployment.\uFFFDcreated",
      originalType: "deployment.\uFFFDcreated",
      unknownType: true,
    });
    expect((await read(nulKey)).schemaIssues).toEqual([
      "payload.deployment.meta.k\uFFFD: expected string, received number",
    ]);
    // The bytes received, NUL escapes included, are what the store gives back.
    for (const e of hostile) {
      const stored = await running.store.forTenant("default").getEvent(idOf(e));
      expect(Buffer.from(stored?.body ?? []).toString()).toBe(bodies[events.indexOf(e as never)]);
    }
    // A repeat is recognised by the id as stored.
    const again = await sendVercel(running.url, JSON.stringify(nulId), SECRET);
    expect(again.body).toMatchObject({ duplicate: true, eventId: idOf(nulId) });
  });
});

describe("a row the database refuses", () => {
  it("fails only its own request; the events committed with it are stored, answered 200 and delivered once", async () => {
    const clock = new FakeClock(Date.now());
    sink = await Sink.start();
    const running = await startTestApp(
      {
        delivery: { allowPrivateNetworks: true },
        destinations: [{ slug: "sink", url: sink.url }],
        routes: [{ slug: "all", source: "vercel", destinations: ["sink"] }],
      },
      { clock, app: { pollMs: 3_600_000 } },
    );
    app = running;
    // A real failure of one row, not a mocked store: the database refuses this external id.
    await execOnAppDatabase(running, failingInsert("events", "NEW.external_id = 'evt_poison'"));
    const events = Array.from({ length: 200 }, (_, i) => valid(i));
    for (const at of [1, 50, 100, 150, 199]) events.splice(at, 0, { ...valid(at), id: "evt_poison" });
    const answers = await Promise.all(events.map((e) => sendVercel(running.url, e, SECRET)));
    expect(answers.map((a) => a.status)).toEqual(events.map((e) => (e.id === "evt_poison" ? 500 : 200)));
    expect(answers.find((a) => a.status === 500)?.body.code).toBe("internal");

    // Every valid event was delivered exactly once, and promptly: the clock does not move, so a
    // delivery left leased to the worker without being sent would never go.
    const received = await sink.waitFor(200);
    expect(new Set(received.map((r) => r.json.id)).size).toBe(200);
    await running.worker.stop();
    expect(sink.received).toHaveLength(200);
    const listed = await api(running, "/api/v1/deliveries?status=pending&limit=200");
    expect(listed.body.data).toEqual([]);
  });
});
