import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, OutcomeLog, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { runCli, spawnCli } from "../support/child.js";
import { sendVercel } from "../support/send.js";
import { Sink } from "../support/sink.js";

// `switchyard tail`, `events list|get`, `deliveries list`, and every command's --help.

const SECRET = VERCEL_SECRETS[0] as string;
let app: TestApp;
let sink: Sink;
let log: OutcomeLog;

beforeAll(async () => {
  sink = await Sink.start();
  app = await startTestApp({
    delivery: { allowPrivateNetworks: true },
    // One attempt: a failure is a dead letter at once.
    destinations: [{ slug: "hook", url: sink.url, retry: { schedule: ["0s"] } }],
    routes: [{ slug: "all", source: "vercel", types: ["deployment.*"], destinations: ["hook"] }],
  });
  log = new OutcomeLog(app);
});
afterAll(async () => {
  await app.stop();
  await sink.close();
});

const server = () => ["--url", app.url, "--token", ADMIN_TOKEN];

/** Sends a sample of `type` with Vercel's id `externalId`; returns Switchyard's id of it. */
async function send(
  type: string,
  externalId: string,
  body = JSON.stringify({ ...sampleEvent(type), id: externalId }),
) {
  const answer = await sendVercel(app.url, body, SECRET);
  expect(answer.status).toBe(200);
  return answer.body.eventId as string;
}

describe("switchyard tail", () => {
  it("--json prints NDJSON lines of each event and its delivery outcome", { timeout: 60_000 }, async () => {
    const tail = spawnCli(["tail", "--json", "--types", "deployment.*", ...server()]);
    try {
      // The stream is open once it says so (on stderr under --json); then the event is sent.
      await new Promise<void>((resolve) => {
        const check = () => tail.stderr().includes("Connected to") && resolve();
        tail.process.stderr?.on("data", check);
        check();
      });
      sink.reply = () => ({ status: 200 });
      const id = await send("deployment.created", "tail-1");
      await tail.line(/"kind":"delivery"/);
      const lines = tail.lines().filter(Boolean);
      const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(objects[0]).toMatchObject({
        kind: "event",
        id,
        type: "deployment.created",
        externalId: "tail-1",
      });
      expect(objects[1]).toMatchObject({
        kind: "delivery",
        eventId: id,
        destination: "hook",
        status: "succeeded",
        attempts: 1,
        lastStatus: 200,
      });
      expect(objects).toHaveLength(2);
    } finally {
      tail.process.kill("SIGINT");
      expect(await tail.exited).toBe(0);
    }
  });
});

describe("switchyard events and deliveries", () => {
  it("events list and get, as text and --json; get --raw prints the bytes", { timeout: 60_000 }, async () => {
    const body = JSON.stringify({ ...sampleEvent("deployment.ready"), id: "list-1" }, null, 3);
    const id = await send("deployment.ready", "list-1", body);
    const listed = await runCli(["events", "list", "--type", "deployment.ready", "--json", ...server()]);
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.stdout) as { data: { id: string }[] };
    expect(page.data.map((e) => e.id)).toEqual([id]);
    const text = await runCli(["events", "list", "--type", "deployment.*", ...server()]);
    expect(text.stdout).toMatch(new RegExp(`^\\S+Z  deployment\\.ready  ${id}  vercel$`, "m"));

    const got = await runCli(["events", "get", id, "--json", ...server()]);
    expect(JSON.parse(got.stdout)).toMatchObject({ id, payload: { id: "list-1", type: "deployment.ready" } });
    const raw = await runCli(["events", "get", id, "--raw", ...server()]);
    expect(raw.stdout).toBe(body);
    const missing = await runCli(["events", "get", "evt_01ARZ3NDEKTSV4RRFFQ69G5FAV", ...server()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("404 not_found");
  });

  it("deliveries list --status dead shows the dead letters", { timeout: 60_000 }, async () => {
    sink.reply = () => ({ status: 500 });
    const id = await send("deployment.error", "dead-1");
    await log.next((o) => o.status === "failed");
    sink.reply = () => ({ status: 200 });
    const json = await runCli(["deliveries", "list", "--status", "dead", "--json", ...server()]);
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout) as { data: Record<string, unknown>[] };
    expect(page.data).toHaveLength(1);
    expect(page.data[0]).toMatchObject({
      eventId: id,
      status: "failed",
      lastStatus: 500,
      destination: "hook",
    });
    const text = await runCli(["deliveries", "list", "--status", "dead", ...server()]);
    expect(text.stdout).toMatch(
      /^\S+Z {2}dead {2}→ hook {2}deployment\.error {2}attempt 1 {2}500 {2}dlv_\w+ evt_\w+$/m,
    );
  });
});

describe("switchyard tenants purge", () => {
  it("does nothing without --yes; with it, deletes the tenant and says what went", {
    timeout: 60_000,
  }, async () => {
    const created = await fetch(`${app.url}/api/v1/sources?tenant=acme`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ slug: "acme-in", kind: "vercel" }),
    });
    expect(created.status).toBe(201);
    const asked = await runCli(["tenants", "purge", "acme", ...server()]);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain("add --yes to do it");
    const purged = await runCli(["tenants", "purge", "acme", "--yes", "--json", ...server()]);
    expect(purged.code).toBe(0);
    expect(JSON.parse(purged.stdout)).toMatchObject({ tenant: "acme", deleted: { sources: 1 } });
    const refused = await runCli(["tenants", "purge", "default", "--yes", ...server()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("invalid_request");
  });
});

describe("--help", () => {
  it("shows an example for every command", { timeout: 120_000 }, async () => {
    const commands = [
      [],
      ["serve"],
      ["migrate"],
      ["catalog"],
      ["sign"],
      ["trigger"],
      ["replay"],
      ["route"],
      ["route", "test"],
      ["listen"],
      ["tail"],
      ["events"],
      ["events", "list"],
      ["events", "get"],
      ["deliveries"],
      ["deliveries", "list"],
      ["tenants"],
      ["tenants", "purge"],
      ["doctor"],
      ["dev"],
      ["dev", "vercel"],
    ];
    // A few at a time: each is a process of its own.
    for (let i = 0; i < commands.length; i += 4) {
      const batch = commands.slice(i, i + 4);
      const help = await Promise.all(batch.map((c) => runCli([...c, "--help"])));
      help.forEach((h, j) => {
        const name = batch[j]?.join(" ") || "switchyard";
        expect(h.code, name).toBe(0);
        expect(h.stdout, name).toMatch(/^Examples?:\n {2}.*switchyard /m);
      });
    }
  });
});
