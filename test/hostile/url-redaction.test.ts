// Webhook URLs are credentials: Slack, Discord and Teams check nothing but the URL. Wherever
// Switchyard shows, logs or exports a destination URL, its secrets must be redacted.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { api, OutcomeLog, startTestApp, type TestApp, tempDir, VERCEL_SECRETS } from "../support/app.js";
import { runCli } from "../support/child.js";
import { sendVercel } from "../support/send.js";
import { Sink } from "../support/sink.js";

const SECRETS = [
  "sl4ckT0kenSecretValue",
  "d1scordT0kenSecret",
  "teamsHashSecret0042",
  "gchatKeySecret",
  "gchatTokenSecret",
  "basicPassw0rd",
  "basicUserName",
  "querySecret0099",
];

const DESTINATIONS = [
  { slug: "slack", url: `https://hooks.slack.com/services/T0AAAA/B0BBBB/${SECRETS[0]}` },
  { slug: "discord", url: `https://discord.com/api/webhooks/112233445566/${SECRETS[1]}` },
  {
    slug: "teams",
    url: `https://contoso.webhook.office.com/webhookb2/g@t/IncomingWebhook/${SECRETS[2]}/c0nnector`,
  },
  {
    slug: "gchat",
    url: `https://chat.googleapis.com/v1/spaces/AAAA/messages?key=${SECRETS[3]}&token=${SECRETS[4]}`,
  },
  { slug: "basic", url: `https://${SECRETS[6]}:${SECRETS[5]}@example.com/in?sig=${SECRETS[7]}` },
];

const expectNoSecret = (text: string) => {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
};

const apps: TestApp[] = [];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop();
  for (const c of cleanups.splice(0)) await c();
});

describe("destination URLs are shown with their credentials redacted", () => {
  it("GET /api/v1/destinations shows no token, password or query value", async () => {
    const app = await startTestApp({ destinations: DESTINATIONS });
    apps.push(app);
    const { status, body } = await api(app, "/api/v1/destinations");
    expect(status).toBe(200);
    expectNoSecret(JSON.stringify(body));
    const urls = Object.fromEntries(
      (body.data as { slug: string; url: string }[]).map((d) => [d.slug, d.url]),
    );
    expect(urls).toEqual({
      slack: "https://hooks.slack.com/services/T0AAAA/B0BBBB/[redacted]",
      discord: "https://discord.com/api/webhooks/112233445566/[redacted]",
      teams: "https://contoso.webhook.office.com/webhookb2/[redacted]/[redacted]/[redacted]/[redacted]",
      gchat: "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=[redacted]&token=[redacted]",
      basic: "https://[redacted]@example.com/in?sig=[redacted]",
    });
    const one = await api(app, "/api/v1/destinations/slack/disable", { method: "POST" });
    expect(one.body.url).toBe("https://hooks.slack.com/services/T0AAAA/B0BBBB/[redacted]");
  });

  it("a failed delivery's attempt log, its alert and the logs name no secret of the URL", async () => {
    const sink = await Sink.start();
    cleanups.push(() => sink.close());
    sink.reply = () => ({ status: 500, body: "down" });
    const logs = new PassThrough();
    let logged = "";
    logs.on("data", (c: Buffer) => {
      logged += c.toString();
    });
    const target = sink.url.replace("http://", `http://${SECRETS[6]}:${SECRETS[5]}@`);
    const app = await startTestApp(
      {
        log: { level: "debug" },
        delivery: { allowPrivateNetworks: true },
        destinations: [
          {
            slug: "hook",
            url: `${target}/${"9f86d081884c7d659a2feaa0c55ad015"}?token=${SECRETS[7]}`,
            retry: { schedule: ["0s"] },
          },
        ],
        routes: [{ slug: "all", source: "vercel", destinations: ["hook"] }],
      },
      { logger: createLogger("debug", logs) },
    );
    apps.push(app);
    const log = new OutcomeLog(app);
    const sent = await sendVercel(
      app.url,
      { id: "e1", type: "deployment.created", payload: {} },
      VERCEL_SECRETS[0] as string,
    );
    expect(sent.status).toBe(200);
    const outcome = await log.next();
    expect(outcome.status).toBe("failed");
    expect(sink.received).toHaveLength(1);

    const detail = await api(app, `/api/v1/deliveries/${outcome.deliveryId}`);
    expectNoSecret(JSON.stringify(detail.body));
    const events = await api(app, "/api/v1/events?source=switchyard");
    const [alertEvent] = events.body.data as { id: string }[];
    expect(alertEvent).toBeDefined();
    const alert = await api(app, `/api/v1/events/${alertEvent?.id}`);
    expectNoSecret(JSON.stringify(alert.body));
    expectNoSecret(JSON.stringify((await api(app, "/api/v1/destinations")).body));
    expect(logged).not.toBe("");
    expectNoSecret(logged);
    expect(logged).not.toContain("9f86d081884c7d659a2feaa0c55ad015");
  });

  it("the route tester answers without the destination's URL secrets", async () => {
    const app = await startTestApp({
      destinations: DESTINATIONS,
      routes: [{ slug: "r", source: "vercel", destinations: DESTINATIONS.map((d) => d.slug) }],
    });
    apps.push(app);
    const tested = await api(app, "/api/v1/routes/test", {
      method: "POST",
      body: JSON.stringify({ route: "r", sampleType: "deployment.created" }),
    });
    expect(tested.status).toBe(200);
    expectNoSecret(JSON.stringify(tested.body));
  });
});

describe("URLs elsewhere", () => {
  it("a logged `url` and any URL in a logged error are redacted", () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (c: Buffer) => {
      text += c.toString();
    });
    const logger = createLogger("info", out);
    logger.info({ url: `/api/v1/events?token=${SECRETS[7]}` }, "request");
    logger.error({ err: new Error(`posting to ${DESTINATIONS[0]?.url} failed`) }, "failed");
    logger.flush();
    expectNoSecret(text);
    expect(text).toContain("/api/v1/events?token=[redacted]");
    expect(text).toContain("posting to https://hooks.slack.com/services/T0AAAA/B0BBBB/[redacted] failed");
  });

  it("switchyard doctor shows the database URL without its password", async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const file = join(dir, "switchyard.yaml");
    writeFileSync(
      file,
      `database: { url: "postgres://${SECRETS[6]}:${SECRETS[5]}@127.0.0.1:1/db?sslpassword=${SECRETS[7]}" }\n`,
    );
    const result = await runCli(["doctor", "--config", file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("database: unreachable, postgres (postgres://[redacted]@127.0.0.1:1/db");
    expectNoSecret(result.stdout + result.stderr);
  });
});
