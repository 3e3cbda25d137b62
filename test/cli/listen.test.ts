import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, startTestApp, type TestApp, tempDir, VERCEL_SECRETS } from "../support/app.js";
import { type CliProcess, freePort, spawnCli } from "../support/child.js";
import { sendVercel, vercelSignature } from "../support/send.js";
import { Sink } from "../support/sink.js";

// `switchyard listen`: a real server, a real local app (a node:http sink), listen in a child process.

const SECRET = VERCEL_SECRETS[0] as string;
const state = tempDir();
let app: TestApp;
let local: Sink;
let running: CliProcess[] = [];

beforeAll(async () => {
  local = await Sink.start();
});
afterAll(async () => {
  await local.close();
  state.cleanup();
});
afterEach(async () => {
  for (const p of running) p.process.kill("SIGKILL");
  running = [];
  await app?.stop();
  local.received.length = 0;
});

/** A server on a port of its own, which a restart keeps. */
async function startServer(): Promise<TestApp> {
  const port = await freePort();
  return startTestApp({ server: { port, host: "127.0.0.1" } });
}

/** Runs `switchyard listen` against the app, its state in a folder of the test's. */
function listen(stateDir: string, ...extra: string[]): CliProcess {
  const p = spawnCli(
    ["listen", "--forward-to", local.url, "--url", app.url, "--token", ADMIN_TOKEN, ...extra],
    { env: { SWITCHYARD_STATE_DIR: stateDir, NO_COLOR: "1" } },
  );
  running.push(p);
  return p;
}

/** Sends a sample event with Vercel's id `externalId`, written with spacing of its own; returns the bytes. */
async function send(externalId: string, type = "deployment.created"): Promise<string> {
  const body = JSON.stringify({ ...sampleEvent(type), id: externalId }, null, 1);
  const answer = await sendVercel(app.url, body, SECRET);
  expect(answer.status).toBe(200);
  return body;
}

/** Stops listen with Ctrl-C; resolves with its exit code and its last line. */
async function interrupt(p: CliProcess): Promise<{ code: number | string; last: string }> {
  p.process.kill("SIGINT");
  const code = await p.exited;
  return { code, last: p.lines().filter(Boolean).at(-1) ?? "" };
}

const idsReceived = () => local.received.map((r) => r.json.id);

describe("switchyard listen", () => {
  it("forwards each event's raw bytes signed with a local secret it keeps privately, and exits 0 with a count on Ctrl-C", {
    timeout: 60_000,
  }, async () => {
    app = await startServer();
    const dir = join(state.dir, "first");
    const p = listen(dir, "--types", "deployment.*");
    const secretLine = await p.line(/local secret/);
    const secret = /local secret (\w+)/.exec(secretLine)?.[1] as string;
    expect(secret).toMatch(/^[0-9a-f]{48}$/);
    expect(statSync(join(dir, "listen", "secret")).mode & 0o777).toBe(0o600);
    await p.line(/^Connected to /);
    await send("ignored-by-type", "project.created");
    const bytes = await send("vercel-evt-1");
    const [received] = await local.waitFor(1);
    expect(received?.body.toString()).toBe(bytes);
    expect(received?.headers["x-vercel-signature"]).toBe(vercelSignature(bytes, secret));
    expect(received?.headers["content-type"]).toBe("application/json");
    const line = await p.line(/deployment\.created/);
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}deployment\.created {2}evt_\w{26} {2}200 {2}\d+ ms$/);
    // A failing app is printed and passed, and does not stop the stream.
    local.reply = () => ({ status: 500 });
    await send("vercel-evt-2");
    expect(await p.line(/ {2}500 {2}/)).toContain("deployment.created");
    local.reply = () => ({ status: 200 });
    const { code, last } = await interrupt(p);
    expect(code).toBe(0);
    expect(last).toBe("Stopped: 1 event forwarded, 1 failed.");
    expect(idsReceived()).toEqual(["vercel-evt-1", "vercel-evt-2"]);
    // The same secret the next time.
    const again = listen(dir, "--from", "now");
    expect(await again.line(/local secret/)).toContain(secret);
    expect((await interrupt(again)).code).toBe(0);
  });

  it("resumes after a server restart on the same data file: nothing missed, nothing twice", {
    timeout: 90_000,
  }, async () => {
    app = await startServer();
    const p = listen(join(state.dir, "restart"), "--secret", "my-local-secret");
    await p.line(/^Connected to /);
    // Dropped before any event: it connects again from the time it started, so r-0 comes.
    app = await app.restart();
    await send("r-0");
    await local.waitFor(1);
    await p.line(/^Reconnected/);
    await send("r-1");
    await local.waitFor(2);
    const reconnected = p.lines().length;
    app = await app.restart();
    // Sent before listen is back: it must come, after r-1, once.
    await send("r-2");
    await send("r-3");
    await local.waitFor(4);
    await p.line(/^Reconnected/, reconnected);
    await send("r-4");
    await local.waitFor(5);
    expect(idsReceived()).toEqual(["r-0", "r-1", "r-2", "r-3", "r-4"]);
    for (const r of local.received)
      expect(r.headers["x-vercel-signature"]).toBe(vercelSignature(r.body, "my-local-secret"));
    // Ctrl-C lets the forward in flight finish and print its line.
    expect((await interrupt(p)).last).toBe("Stopped: 5 events forwarded.");
    expect(p.lines().filter((l) => l.includes("  200  "))).toHaveLength(5);
  });

  it("started again, forwards what arrived while it was stopped; --from now skips it; --from an id starts there", {
    timeout: 90_000,
  }, async () => {
    app = await startServer();
    const dir = join(state.dir, "resume");
    const first = listen(dir);
    await first.line(/^Connected to /);
    await send("s-1");
    await local.waitFor(1);
    await first.line(/ {2}200 {2}/);
    expect((await interrupt(first)).code).toBe(0);

    await send("s-2");
    await send("s-3");
    const second = listen(dir);
    expect(await second.line(/^Resuming after evt_/)).toContain("where the last run stopped");
    await local.waitFor(3);
    expect(idsReceived()).toEqual(["s-1", "s-2", "s-3"]);
    expect((await interrupt(second)).last).toBe("Stopped: 2 events forwarded.");

    await send("s-4");
    const third = listen(dir, "--from", "now");
    await third.line(/^Connected to /);
    await send("s-5");
    await local.waitFor(4);
    expect((await interrupt(third)).last).toBe("Stopped: 1 event forwarded.");
    expect(idsReceived()).toEqual(["s-1", "s-2", "s-3", "s-5"]);

    // s-4 was skipped; --from its id sends it and what followed.
    const s4 = (await fetch(`${app.url}/api/v1/events?id=s-4`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    }).then((r) => r.json())) as { data: { id: string }[] };
    const fourth = listen(dir, "--from", s4.data[0]?.id as string);
    await local.waitFor(6);
    expect(idsReceived()).toEqual(["s-1", "s-2", "s-3", "s-5", "s-4", "s-5"]);
    expect((await interrupt(fourth)).last).toBe("Stopped: 2 events forwarded.");
  });

  it("says what to do when it cannot start", { timeout: 90_000 }, async () => {
    app = await startServer();
    const dir = join(state.dir, "errors");
    const badToken = spawnCli(
      ["listen", "--forward-to", local.url, "--url", app.url, "--token", "wrong", "--from", "now"],
      { env: { SWITCHYARD_STATE_DIR: dir } },
    );
    expect(await badToken.exited).toBe(1);
    expect(badToken.stderr()).toContain("--token or SWITCHYARD_ADMIN_TOKEN");
    const badUrl = spawnCli(["listen", "--forward-to", "localhost:3000", "--url", app.url, "--token", "t"], {
      env: { SWITCHYARD_STATE_DIR: dir },
    });
    expect(await badUrl.exited).toBe(2);
    expect(badUrl.stderr()).toContain("e.g. http://localhost:3000/api/webhooks");
    const unknown = listen(dir, "--from", "evt_01ARZ3NDEKTSV4RRFFQ69G5FAV");
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toContain("no such event");
  });
});
