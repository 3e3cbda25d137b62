import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { launchBrowser, SCREENSHOT_DIR, VIEWPORTS } from "../support/browser.js";
import { sendVercel } from "../support/send.js";
import { FakeClock } from "../support/sink.js";

// The console's events list in headless Chromium: type globs, a time range, an id that opens its
// event, a payload search that stops at its bound and goes on with "Search older", the refusals,
// and live mode: an event sent after the page opened appears at the top without a reload.

const SECRET = VERCEL_SECRETS[0] as string;
const HOUR = 60 * 60 * 1000;
/** A search examines this many events per page here, so the list outgrows it. */
const SCAN = 3;

let app: TestApp;
let browser: Browser;
const clock = new FakeClock(Date.UTC(2026, 11, 2, 9, 0, 30));

beforeAll(async () => {
  [app, browser] = await Promise.all([
    startTestApp({}, { clock, app: { searchScanLimit: SCAN, streams: { pollMs: 50 } } }),
    launchBrowser(),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([browser?.close(), app?.stop()]);
});

/** Sends a signed event of `type` (with `extra` in its payload); its Switchyard id and Vercel's. */
async function ingest(
  type: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; vercelId: string }> {
  const event = {
    ...(sampleEvent(type) as Record<string, unknown>),
    ...extra,
    id: `evt_vercel_${randomUUID()}`,
  };
  const answer = await sendVercel(app.url, event, SECRET);
  expect(answer.status).toBe(200);
  return { id: (answer.body as { eventId: string }).eventId, vercelId: event.id };
}

/** A fresh browser context at a viewport, signed in. */
async function context(size: keyof typeof VIEWPORTS = "desktop"): Promise<BrowserContext> {
  const ctx = await browser.newContext(VIEWPORTS[size]);
  // A step that cannot happen fails with its locator, well before the test's own bound.
  ctx.setDefaultTimeout(20_000);
  const page = await ctx.newPage();
  await page.goto(`${app.url}/sign-in`);
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${app.url}/overview`);
  await page.close();
  return ctx;
}

async function shoot(page: Page, name: string) {
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true });
}

const listedIds = (page: Page) => page.locator("tbody a.mono").allTextContents();
/** `datetime-local` text (UTC, to the minute) of a time. */
const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16);

describe("the events list", { timeout: 120_000 }, () => {
  let early: { id: string; vercelId: string };
  let created: { id: string; vercelId: string };
  let project: { id: string; vercelId: string };
  let ready: { id: string; vercelId: string };
  let since = 0;

  beforeAll(async () => {
    early = await ingest("deployment.created", { payload: { name: "Zebra-Shop" } });
    clock.advance(2 * HOUR);
    since = clock.now();
    created = await ingest("deployment.created");
    project = await ingest("project.created");
    clock.advance(2 * HOUR);
    ready = await ingest("deployment.ready", { payload: { name: "zebra-shop" } });
  });

  it("filters by a type glob, a time range and an id, and refuses a bad filter with a clear page", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/events`);
    await page.getByLabel("Type").fill("deployment.*");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/type=deployment\.\*/);
    expect(await listedIds(page)).toEqual([ready.id, created.id, early.id]);
    await page.getByLabel("Type").fill("*.created");
    await page.getByLabel("Received since (UTC)").fill(minute(since));
    await page.getByLabel("Received before (UTC)").fill(minute(since + HOUR));
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/since=/);
    expect(await listedIds(page)).toEqual([project.id, created.id]);

    // Vercel's id of an event opens it.
    await page.goto(`${app.url}/events`);
    await page.getByLabel("Event id").fill(created.vercelId);
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(`${app.url}/events/${created.id}`);
    expect(await page.locator("h1").textContent()).toContain("deployment.created");

    for (const [query, words] of [
      ["type=deployment%20created", "type must be"],
      ["since=yesterday", "since"],
      [`since=${minute(since + HOUR)}&until=${minute(since)}`, "since must not be after until"],
    ] as const) {
      const answer = await page.goto(`${app.url}/events?${query}`);
      expect(answer?.status(), query).toBe(400);
      expect(await page.locator("main").textContent(), query).toContain(words);
    }
    await ctx.close();
  });

  it("searches payloads a bounded stretch at a time, and goes on with Search older", async () => {
    for (const size of ["desktop", "phone"] as const) {
      const ctx = await context(size);
      const page = await ctx.newPage();
      await page.goto(`${app.url}/events`);
      await page.getByLabel("Payload contains").fill("ZEBRA-shop");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/q=ZEBRA-shop/);
      // The newest three were searched: one matched, and the list says how far back it looked.
      expect(await page.locator("tbody tr td:nth-child(2)").allTextContents()).toEqual(["deployment.ready"]);
      expect(await page.getByRole("status").first().textContent()).toContain("Searched events back to");
      await shoot(page, `events-search-${size}`);
      await page.getByRole("link", { name: "Search older" }).first().click();
      await page.waitForURL(/cursor=/);
      expect(await page.locator("tbody tr td:nth-child(2)").allTextContents()).toEqual([
        "deployment.created",
      ]);
      expect(await page.getByRole("link", { name: "Search older" }).count()).toBe(0);
      await ctx.close();
    }
  });

  it("goes live: an event sent after the page opened appears at the top, filtered, without a reload", async () => {
    for (const size of ["desktop", "phone"] as const) {
      const ctx = await context(size);
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${app.url}/events?type=deployment.*`);
      await page.getByRole("link", { name: "Live", exact: true }).click();
      await page.waitForURL(/live=1/);
      await page.getByText("Live: new events appear at the top as they arrive.", { exact: true }).waitFor({
        timeout: 10_000,
      });
      const loaded = await page.evaluate(() => performance.timeOrigin);
      const [top] = await listedIds(page);
      clock.advance(60_000);
      const skipped = await ingest("project.created");
      const fresh = await ingest("deployment.error");
      const row = page.locator("tbody tr").first();
      // Attached, not visible: a phone hides the id column.
      await row.locator("a.mono", { hasText: fresh.id }).waitFor({ state: "attached", timeout: 10_000 });
      expect(await row.locator("td").first().textContent()).toBe(
        new Date(clock.now())
          .toISOString()
          .replace("T", " ")
          .replace(/\.\d+Z$/, "Z"),
      );
      expect(await row.locator("td:nth-child(2) a").getAttribute("href")).toBe(`/events/${fresh.id}`);
      expect(await listedIds(page)).not.toContain(skipped.id);
      expect((await listedIds(page))[1]).toBe(top);
      // The same document: nothing reloaded it.
      expect(await page.evaluate(() => performance.timeOrigin)).toBe(loaded);
      expect(errors).toEqual([]);
      await shoot(page, `events-live-${size}`);
      await ctx.close();
    }
  });

  it("serves the live stream only to a signed-in browser", async () => {
    const answer = await fetch(`${app.url}/events/live`, { redirect: "manual" });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toMatch(/^\/sign-in\?next=/);
  });
});
