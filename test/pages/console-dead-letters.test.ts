import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClaimedDelivery, DeliveryRecord } from "../../src/core/delivery-types.js";
import { DEFAULT_TENANT } from "../../src/core/types.js";
import type { DeliveryOutcome } from "../../src/storage/port.js";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { launchBrowser, SCREENSHOT_DIR, VIEWPORTS } from "../support/browser.js";
import { sendVercel } from "../support/send.js";
import { FakeClock, Sink } from "../support/sink.js";

// The console's dead letters in headless Chromium: deliveries that failed for good appear,
// filtered by destination, type and when they died, a page at a time; two selected are replayed
// and the destination gets them; "replay all that match" counts them first, then re-queues them;
// and the refusals: no session, no CSRF token, another tenant's delivery ids.

const SECRET = VERCEL_SECRETS[0] as string;
const HOUR = 60 * 60 * 1000;

let app: TestApp;
let browser: Browser;
let sink: Sink;
const clock = new FakeClock(Date.UTC(2026, 11, 2, 9, 0, 30));
/** Every delivery outcome since the app started, in order. */
const seen: { outcome: DeliveryOutcome; delivery: ClaimedDelivery }[] = [];
let onSeen = () => {};

beforeAll(async () => {
  sink = await Sink.start();
  [app, browser] = await Promise.all([
    startTestApp(
      {
        delivery: { allowPrivateNetworks: true },
        destinations: [
          { slug: "hooks", url: sink.url, retry: { schedule: ["0s"], jitter: 0 } },
          { slug: "spare", url: `${sink.url}-spare`, retry: { schedule: ["0s"], jitter: 0 } },
        ],
        routes: [{ slug: "all", source: "vercel", destinations: ["hooks", "spare"] }],
      },
      { clock },
    ),
    launchBrowser(),
  ]);
  app.worker.on("outcome", (outcome, delivery) => {
    seen.push({ outcome, delivery });
    onSeen();
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([browser?.close(), app?.stop()]);
  await sink?.close();
});

/** Resolves once `n` outcomes (seen so far or to come) pass `test`. */
function outcomes(n: number, test: (o: DeliveryOutcome, d: ClaimedDelivery) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (seen.filter((s) => test(s.outcome, s.delivery)).length < n) return;
      onSeen = () => {};
      resolve();
    };
    onSeen = check;
    check();
  });
}

/** Sends a signed event whose two deliveries (hooks, spare) fail for good; its id. */
async function deadEvent(type: string): Promise<string> {
  sink.reply = () => ({ status: 500, body: "down for maintenance" });
  const event = sampleEvent(type) as { id: string };
  event.id = `evt_vercel_${randomUUID()}`;
  const answer = await sendVercel(app.url, event, SECRET);
  expect(answer.status).toBe(200);
  const eventId = (answer.body as { eventId: string }).eventId;
  await outcomes(2, (o, d) => d.eventId === eventId && o.status === "failed");
  return eventId;
}

/** The default tenant's deliveries of an event. */
async function deliveriesOf(eventId: string): Promise<DeliveryRecord[]> {
  return app.store.forTenant(DEFAULT_TENANT).listDeliveries({ eventId, limit: 10 });
}

/** A fresh browser context at a viewport, signed in. */
async function context(size: keyof typeof VIEWPORTS = "desktop"): Promise<BrowserContext> {
  const ctx = await browser.newContext(VIEWPORTS[size]);
  const page = await ctx.newPage();
  await page.goto(`${app.url}/sign-in`);
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${app.url}/overview`);
  await page.close();
  return ctx;
}

async function shoot(page: Page, name: string, size: string) {
  await page.screenshot({
    path: `${SCREENSHOT_DIR}console-dead-letters-${name}-${size}.png`,
    fullPage: true,
  });
}

/** The session cookie of a signed-in context, for requests made without the browser. */
async function cookieOf(ctx: BrowserContext): Promise<string> {
  const [session] = (await ctx.cookies()).filter((c) => c.name === "switchyard_console");
  return `switchyard_console=${session?.value}`;
}

/** The CSRF token the list page's forms carry. */
async function csrfOf(page: Page): Promise<string> {
  await page.goto(`${app.url}/dead-letters`);
  return (await page.locator('input[name="csrf"]').first().getAttribute("value")) ?? "";
}

/** `datetime-local` text (UTC, to the minute) of a time. */
const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16);

describe("dead letters", () => {
  it("lists dead letters, filters them, pages, and replays two selected ones", async () => {
    const early = await deadEvent("deployment.created");
    clock.advance(HOUR);
    const since = clock.now();
    const [created, project] = [await deadEvent("deployment.created"), await deadEvent("project.created")];

    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/events`);
    await page.getByRole("link", { name: "Dead letters" }).click();
    await page.waitForURL(`${app.url}/dead-letters`);
    expect(await page.getByRole("link", { name: "Dead letters" }).getAttribute("aria-current")).toBe("page");
    // Newest first: each event's two deliveries, the latest event's on top.
    const events = await page.locator("tbody td:nth-child(4) a").allTextContents();
    expect(events).toEqual([project, project, created, created, early, early]);
    const first = await page.locator("tbody tr").first().textContent();
    expect(first).toContain("project.created");
    expect(first).toContain("HTTP 500");
    await shoot(page, "list", "desktop");

    // By destination and type.
    await page.getByLabel("Destination").fill("hooks");
    await page.getByLabel("Type").fill("deployment.created");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/destination=hooks/);
    expect(await page.locator("tbody td:nth-child(4) a").allTextContents()).toEqual([created, early]);
    // By when they died: the first event's died an hour before the others.
    await page.getByLabel("Died since (UTC)").fill(minute(since));
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/since=/);
    expect(await page.locator("tbody td:nth-child(4) a").allTextContents()).toEqual([created]);
    await page.goto(`${app.url}/dead-letters?until=${minute(since)}`);
    expect(await page.locator("tbody td:nth-child(4) a").allTextContents()).toEqual([early, early]);
    await page.goto(`${app.url}/dead-letters?until=${minute(since - 2 * HOUR)}`);
    expect(await page.getByText("No dead letters match.").count()).toBe(1);

    // A page at a time.
    await page.goto(`${app.url}/dead-letters?limit=4`);
    const pageOne = await page.locator("tbody td:nth-child(4) a").allTextContents();
    await page.getByRole("link", { name: "Older dead letters" }).click();
    const pageTwo = await page.locator("tbody td:nth-child(4) a").allTextContents();
    expect([...pageOne, ...pageTwo]).toEqual(events);
    expect(await page.getByRole("link", { name: "Older dead letters" }).count()).toBe(0);

    // Two selected, the destination fixed: both go back in the queue and arrive.
    const [toHooks, toSpare] = [
      (await deliveriesOf(created)).find((d) => d.destination === "hooks"),
      (await deliveriesOf(project)).find((d) => d.destination === "spare"),
    ];
    await page.goto(`${app.url}/dead-letters`);
    await page.getByRole("checkbox", { name: `(${toHooks?.id})` }).check();
    await page.getByRole("checkbox", { name: `(${toSpare?.id})` }).check();
    sink.reply = () => ({ status: 200 });
    const received = sink.received.length;
    const delivered = outcomes(
      2,
      (o, d) => (d.id === toHooks?.id || d.id === toSpare?.id) && o.status === "succeeded",
    );
    await page.getByRole("button", { name: "Replay selected" }).click();
    await page.waitForURL(/replayed=2/);
    expect(await page.getByRole("status").textContent()).toContain(
      "Replayed 2 dead letters: back in the queue.",
    );
    await delivered;
    expect(sink.received.length).toBe(received + 2);
    await page.reload();
    const left = await Promise.all(
      (await page.locator('tbody input[type="checkbox"]').all()).map((box) => box.getAttribute("value")),
    );
    expect(left).toHaveLength(4);
    expect(left).not.toContain(toHooks?.id);
    expect(left).not.toContain(toSpare?.id);
    await ctx.close();

    for (const size of ["desktop", "phone"] as const) {
      const sized = await context(size);
      const p = await sized.newPage();
      await p.goto(`${app.url}/dead-letters`);
      await shoot(p, "list-after-replay", size);
      await sized.close();
    }
  }, 120_000);

  it("replays all that match: a dry run counts them, then they are re-queued", async () => {
    const events = [await deadEvent("deployment.ready"), await deadEvent("deployment.ready")];
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/dead-letters?type=deployment.ready`);
    await page.getByRole("button", { name: "Replay all that match…" }).click();
    await page.waitForURL(`${app.url}/dead-letters/replay-all?type=deployment.ready`);
    expect(await page.getByRole("status").textContent()).toContain(
      "This will put 4 dead letters back in the queue.",
    );
    // The dry run changed nothing.
    for (const id of events) expect((await deliveriesOf(id)).every((d) => d.status === "failed")).toBe(true);
    await shoot(page, "confirm", "desktop");
    const phone = await context("phone");
    const p = await phone.newPage();
    await p.goto(`${app.url}/dead-letters/replay-all?type=deployment.ready`);
    await shoot(p, "confirm", "phone");
    await phone.close();

    sink.reply = () => ({ status: 200 });
    const delivered = outcomes(4, (o, d) => events.includes(d.eventId) && o.status === "succeeded");
    await page.getByRole("button", { name: "Put them back in the queue" }).click();
    await page.waitForURL(/requeued=4/);
    expect(await page.getByRole("status").textContent()).toContain("Re-queued 4 dead letters.");
    await delivered;
    expect(await page.getByText("No dead letters match.").count()).toBe(1);
    await shoot(page, "requeued", "desktop");

    // Nothing left to replay: the dry run says so and offers no button.
    await page.goto(`${app.url}/dead-letters/replay-all?type=deployment.ready`);
    expect(await page.getByText("No dead letters match: there is nothing to replay.").count()).toBe(1);
    expect(await page.getByRole("button", { name: "Put them back in the queue" }).count()).toBe(0);

    // Without a filter, "all" must be said outright.
    const bare = await page.goto(`${app.url}/dead-letters/replay-all`);
    expect(bare?.status()).toBe(400);
    expect(await page.content()).toContain("invalid_request");
    const both = await page.goto(`${app.url}/dead-letters/replay-all?type=deployment.ready&all=1`);
    expect(both?.status()).toBe(400);
    await page.goto(`${app.url}/dead-letters`);
    await page.getByRole("button", { name: "Replay all that match…" }).click();
    await page.waitForURL(`${app.url}/dead-letters/replay-all?all=1`);
    expect(await page.getByRole("status").textContent()).toMatch(/This will put \d+ dead letters? back/);
    await ctx.close();
  }, 120_000);
});

describe("refusals", () => {
  it("sends a browser without a session to sign in, and takes no form from it", async () => {
    const eventId = await deadEvent("project.removed");
    const list = await fetch(`${app.url}/dead-letters`, { redirect: "manual" });
    expect(list.status).toBe(303);
    expect(list.headers.get("location")).toBe(`/sign-in?next=${encodeURIComponent("/dead-letters")}`);
    const [dead] = await deliveriesOf(eventId);
    for (const path of ["/dead-letters/replay", "/dead-letters/replay-all?all=1"]) {
      const answer = await fetch(`${app.url}${path}`, {
        method: "POST",
        body: new URLSearchParams({ delivery: dead?.id ?? "" }),
        redirect: "manual",
      });
      expect(answer.status).toBe(303);
      expect(answer.headers.get("location")).toMatch(/^\/sign-in\?next=/);
    }
    expect((await deliveriesOf(eventId)).every((d) => d.status === "failed")).toBe(true);
  });

  it("refuses a replay without the session's CSRF token, and changes nothing", async () => {
    const eventId = await deadEvent("project.removed");
    const ctx = await context();
    const cookie = await cookieOf(ctx);
    const [dead] = await deliveriesOf(eventId);
    for (const path of ["/dead-letters/replay", "/dead-letters/replay-all?all=1"]) {
      for (const csrf of [undefined, "forged"]) {
        const answer = await fetch(`${app.url}${path}`, {
          method: "POST",
          headers: { cookie },
          body: new URLSearchParams({ delivery: dead?.id ?? "", ...(csrf ? { csrf } : {}) }),
          redirect: "manual",
        });
        expect(answer.status).toBe(403);
        expect(await answer.text()).toContain("invalid_csrf");
      }
    }
    expect((await deliveriesOf(eventId)).every((d) => d.status === "failed")).toBe(true);
    await ctx.close();
  });

  it("neither shows nor replays another tenant's dead letters", async () => {
    const eventId = await deadEvent("project.removed");
    const ctx = await context();
    const page = await ctx.newPage();
    const cookie = await cookieOf(ctx);
    const csrf = await csrfOf(page);
    const ids = (await deliveriesOf(eventId)).map((d) => d.id);

    await page.goto(`${app.url}/dead-letters?tenant=acme`);
    expect(await page.getByText("No dead letters match.").count()).toBe(1);
    expect(await page.content()).not.toContain(eventId);

    // The default tenant's ids in a form acting for acme: skipped, counted, left dead.
    const answer = await fetch(`${app.url}/dead-letters/replay?tenant=acme`, {
      method: "POST",
      headers: { cookie },
      body: new URLSearchParams([["csrf", csrf], ...ids.map((id): [string, string] => ["delivery", id])]),
      redirect: "manual",
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/dead-letters?tenant=acme&replayed=0&skipped=2");
    await page.goto(`${app.url}${answer.headers.get("location")}`);
    expect(await page.getByRole("status").textContent()).toContain(
      "Nothing was replayed. 2 of those selected were left as they were",
    );
    // Acme's "all" touches none of them either.
    const all = await fetch(`${app.url}/dead-letters/replay-all?tenant=acme&all=1`, {
      method: "POST",
      headers: { cookie },
      body: new URLSearchParams({ csrf }),
      redirect: "manual",
    });
    expect(all.headers.get("location")).toBe("/dead-letters?tenant=acme&requeued=0&matched=0");
    expect((await deliveriesOf(eventId)).every((d) => d.status === "failed")).toBe(true);

    // A malformed id or cursor is a 400 page, not a query.
    const malformed = await fetch(`${app.url}/dead-letters/replay`, {
      method: "POST",
      headers: { cookie },
      body: new URLSearchParams({ csrf, delivery: "dlv_' OR 1=1 --" }),
      redirect: "manual",
    });
    expect(malformed.status).toBe(400);
    const cursor = await page.goto(`${app.url}/dead-letters?cursor=nope`);
    expect(cursor?.status()).toBe(400);
    const time = await page.goto(`${app.url}/dead-letters?since=yesterday`);
    expect(time?.status()).toBe(400);
    await ctx.close();
  });
});
