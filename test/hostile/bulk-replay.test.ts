import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, api, OutcomeLog, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { runCli } from "../support/child.js";
import { sendVercel } from "../support/send.js";
import { Sink } from "../support/sink.js";

const DEAD = 2;
let app: TestApp;
let sink: Sink;

beforeAll(async () => {
  sink = await Sink.start();
  sink.reply = () => ({ status: 500 });
  app = await startTestApp({
    delivery: { allowPrivateNetworks: true },
    destinations: [{ slug: "once", url: sink.url, retry: { schedule: ["0s"] } }],
    routes: [{ slug: "r", source: "vercel", destinations: ["once"] }],
  });
  const log = new OutcomeLog(app);
  for (let i = 0; i < DEAD; i++) {
    await sendVercel(app.url, sampleEvent("deployment.error"), VERCEL_SECRETS[0] as string);
    expect((await log.next((o) => o.attempt !== null)).status).toBe("failed");
  }
});
afterAll(async () => {
  await app.stop();
  await sink.close();
});

/** How many dead letters are waiting, counted by a dry run that says it means all of them. */
async function deadLetters(): Promise<number> {
  const res = await api(app, "/api/v1/replay", {
    method: "POST",
    body: JSON.stringify({ all: true, dryRun: true }),
  });
  return res.body.matched as number;
}

describe("a bulk replay without a filter", () => {
  it.each([
    ["an empty body", undefined],
    ["{}", "{}"],
    ["only a status", JSON.stringify({ status: "failed" })],
    ["only dryRun", JSON.stringify({ dryRun: false })],
    ['"all": false', JSON.stringify({ status: "failed", all: false })],
  ])("is refused for %s with 400 invalid_request, and re-queues nothing", async (_name, body) => {
    const res = await api(app, "/api/v1/replay", { method: "POST", ...(body === undefined ? {} : { body }) });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_request");
    expect(res.body.message).toContain('"all": true');
    expect(await deadLetters()).toBe(DEAD);
  });

  it("is refused when it gives both a filter and all", async () => {
    const res = await api(app, "/api/v1/replay", {
      method: "POST",
      body: JSON.stringify({ destination: "once", all: true }),
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_request");
  });

  it("is refused by the CLI too, which needs a filter or --all", { timeout: 30_000 }, async () => {
    const server = ["--url", app.url, "--token", ADMIN_TOKEN];
    const bare = await runCli(["replay", ...server]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("--all");
    expect(await deadLetters()).toBe(DEAD);
    const dry = await runCli(["replay", "--all", "--dry-run", ...server]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`${DEAD} deliveries match (dry run`);
  });

  it('re-queues every dead letter when it says "all": true', async () => {
    sink.reply = () => ({ status: 200 });
    const res = await api(app, "/api/v1/replay", { method: "POST", body: JSON.stringify({ all: true }) });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ matched: DEAD, enqueued: DEAD });
  });
});
