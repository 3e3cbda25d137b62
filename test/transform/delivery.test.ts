import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { api, OutcomeLog, startTestApp, VERCEL_SECRETS } from "../support/app.js";
import { sendVercel } from "../support/send.js";
import { Sink } from "../support/sink.js";

const SECRET = VERCEL_SECRETS[0] as string;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  slugs: string[],
  routes: Record<string, unknown>[],
  extra: Record<string, unknown> = {},
) {
  const sinks = await Promise.all(slugs.map(() => Sink.start()));
  const destinations = slugs.map((slug, i) => ({
    slug,
    url: sinks[i]?.url,
    signing: { scheme: "vercel", secrets: [`${slug}-secret`] },
  }));
  const overrides = { delivery: { allowPrivateNetworks: true }, destinations, routes, ...extra };
  // The sinks are closed even when the app refuses to start (a bad transform).
  cleanups.push(async () => {
    for (const s of sinks) await s.close();
  });
  const app = await startTestApp(overrides, { app: { random: () => 0.5 } });
  cleanups.push(() => app.stop());
  return {
    app,
    sinks: Object.fromEntries(slugs.map((s, i) => [s, sinks[i] as Sink])),
    log: new OutcomeLog(app),
    overrides,
  };
}

type Delivery = {
  id: string;
  destination: string;
  routes: string[];
  route: string | null;
  transform: string | null;
  status: string;
  lastError: string | null;
};

async function deliveriesOf(app: { url: string }, eventId: string): Promise<Delivery[]> {
  return (await api(app, `/api/v1/deliveries?event=${eventId}`)).body.data as Delivery[];
}

describe("transforms", () => {
  it("sends a template's object as JSON and code's string as text, each signed over the bytes sent", async () => {
    const { app, sinks, log } = await setup(
      ["ops", "slack", "pager"],
      [
        { slug: "raw", source: "vercel", destinations: ["ops", "slack"] },
        {
          slug: "to-slack",
          source: "vercel",
          types: ["deployment.*"],
          transform: { template: "slack" },
          destinations: ["slack"],
        },
        {
          slug: "to-text",
          source: "vercel",
          transform: {
            code: "function transform(event, meta) {\n  return `${meta.type} ${event.payload.deployment.id}`;\n}",
          },
          destinations: ["pager"],
        },
      ],
    );
    const event = sampleEvent("deployment.error") as { payload: { deployment: { id: string } } };
    const sent = await sendVercel(app.url, event, SECRET);
    for (let i = 0; i < 4; i++) await log.next();
    const list = await deliveriesOf(app, sent.body.eventId as string);
    const summary = list.map((d) => [d.destination, d.routes, d.route, d.transform, d.status]).sort();
    expect(summary).toEqual([
      ["ops", ["raw"], null, null, "succeeded"],
      ["pager", ["to-text"], "to-text", "transformed", "succeeded"],
      ["slack", ["raw"], null, null, "succeeded"],
      ["slack", ["to-slack"], "to-slack", "transformed", "succeeded"],
    ]);
    const slack = sinks.slack?.received.find((r) => Array.isArray(r.json.blocks));
    expect(slack?.headers["content-type"]).toBe("application/json");
    expect(slack?.json.blocks).toEqual(expect.arrayContaining([expect.objectContaining({ type: "header" })]));
    const pager = sinks.pager?.received[0];
    expect(pager?.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(pager?.body.toString()).toBe(`deployment.error ${event.payload.deployment.id}`);
    for (const [name, got] of [
      ["slack", slack],
      ["pager", pager],
    ] as const) {
      const expected = createHmac("sha1", `${name}-secret`)
        .update(got?.body as Buffer)
        .digest("hex");
      expect(got?.headers["x-vercel-signature"]).toBe(expected);
    }
  });

  it("skips a delivery whose transform returns null: nothing is sent, the delivery says skipped", async () => {
    const { app, sinks, log } = await setup(
      ["warehouse"],
      [
        {
          slug: "rows",
          source: "vercel",
          transform: {
            code: "function transform(e) {\n  const d = e.payload.deployment;\n  if (!d) return null;\n  return { deployment_id: d.id };\n}",
          },
          destinations: ["warehouse"],
        },
      ],
    );
    const skipped = await sendVercel(app.url, sampleEvent("domain.created"), SECRET);
    expect((await log.next()).status).toBe("skipped");
    await sendVercel(app.url, sampleEvent("deployment.created"), SECRET);
    expect((await log.next()).status).toBe("succeeded");
    expect(sinks.warehouse?.received).toHaveLength(1);
    expect(sinks.warehouse?.received[0]?.json).toHaveProperty("deployment_id");
    const [d] = await deliveriesOf(app, skipped.body.eventId as string);
    expect(d).toMatchObject({ status: "skipped", transform: "skipped", lastError: null });
    const listed = await api(app, "/api/v1/deliveries?status=skipped");
    expect(listed.body.data).toHaveLength(1);
  });

  it("records a failing transform as a dead letter with its line, never retried, and replays it once the route is fixed", async () => {
    const broken = "function transform(e) {\n  const d = e.payload.nothing;\n  return { id: d.id };\n}";
    const fixed = "function transform(e) {\n  return { id: e.payload.deployment.id };\n}";
    const routes = (code: string) => [
      { slug: "rows", source: "vercel", transform: { code }, destinations: ["warehouse"] },
    ];
    const { app, sinks, log, overrides } = await setup(["warehouse"], routes(broken));
    const sent = await sendVercel(app.url, sampleEvent("deployment.created"), SECRET);
    const outcome = await log.next();
    expect(outcome).toMatchObject({
      status: "failed",
      nextAttemptAt: null,
      transform: "failed",
      lastError: "transform_failed: TypeError: Cannot read properties of undefined (reading 'id') (line 3)",
    });
    expect(outcome.attempt).toMatchObject({ number: 1, status: null, error: "transform_failed" });
    expect(outcome.alert?.type).toBe("switchyard.delivery.failed");
    expect(sinks.warehouse?.received).toHaveLength(0);
    const detail = await api(app, `/api/v1/deliveries/${outcome.deliveryId}`);
    expect(detail.body).toMatchObject({ status: "failed", transform: "failed", route: "rows" });

    // The fixed route, on the same database, then a bulk replay of dead letters.
    await app.close();
    const again = await startTestApp(
      { ...overrides, routes: routes(fixed) },
      { dir: app.dir, app: { random: () => 0.5 } },
    );
    cleanups.push(() => again.close());
    const log2 = new OutcomeLog(again);
    expect(
      (
        await api(again, "/api/v1/replay", {
          method: "POST",
          body: JSON.stringify({ status: "failed", destination: "warehouse" }),
        })
      ).status,
    ).toBe(202);
    expect(await log2.next()).toMatchObject({ status: "succeeded", transform: "transformed" });
    expect(sinks.warehouse?.received[0]?.json).toHaveProperty("id");
    const [d] = await deliveriesOf(again, sent.body.eventId as string);
    expect(d).toMatchObject({ status: "succeeded", transform: "transformed", lastError: null });
  });

  it("stops start-up naming each bad transform by its config path", async () => {
    await expect(
      setup(
        ["d"],
        [
          { slug: "a", source: "vercel", transform: { template: "slak" }, destinations: ["d"] },
          {
            slug: "b",
            source: "vercel",
            transform: { template: "slack", options: { colour: "red" } },
            destinations: ["d"],
          },
          {
            slug: "c",
            source: "vercel",
            transform: { code: "function transform(e) {\n  return e.;\n}" },
            destinations: ["d"],
          },
          { slug: "e", source: "vercel", transform: { file: "./nope.js" }, destinations: ["d"] },
        ],
      ),
    ).rejects.toThrow(
      /routes\[0\]\.transform\.template: [\s\S]*routes\[1\]\.transform\.options: [\s\S]*colour/,
    );
    await expect(
      setup(
        ["d"],
        [
          {
            slug: "c",
            source: "vercel",
            transform: { code: "function transform(e) {\n  return e.;\n}" },
            destinations: ["d"],
          },
        ],
      ),
    ).rejects.toThrow(/routes\[0\]\.transform\.code: SyntaxError: Unexpected token ';' \(line 2\)/);
    await expect(
      setup(
        ["d"],
        [{ slug: "e", source: "vercel", transform: { file: "./no-such-transform.js" }, destinations: ["d"] }],
      ),
    ).rejects.toThrow(/routes\[0\]\.transform\.file: cannot read .*no-such-transform\.js: no such file/);
  });
});
