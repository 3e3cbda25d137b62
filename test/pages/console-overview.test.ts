import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, api, OutcomeLog, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { launchBrowser, SCREENSHOT_DIR, VIEWPORTS } from "../support/browser.js";
import { sendVercel } from "../support/send.js";
import { FakeClock, Sink } from "../support/sink.js";

// The console's overview in headless Chromium: events and attempts at known minutes in the charts'
// numbers, the success rate, pending and dead counts, a failing destination with its last error
// and a slow one, another tenant's events left out, the live script's update after a new event
// without a reload, and no session.

const SECRET = VERCEL_SECRETS[0] as string;
/** The longest a test here may take: each drives Chromium through several pages on a shared machine. */
const SLOW = 120_000;
const MINUTE = 60_000;
/** 12:00:20 UTC: the first events' minute is 12:00, the later one's 12:03. */
const T0 = Date.UTC(2026, 0, 10, 12, 0, 20);

let app: TestApp;
let browser: Browser;
let outcomes: OutcomeLog;
let ok: Sink;
let failing: Sink;
let slow: Sink;
let acmeSecret: string;
const clock = new FakeClock(T0);
/** Outcomes the worker is to have recorded once every event sent so far is delivered. */
let expected = 0;
/** Events sent so far, which numbers each one's id. */
let sent = 0;

beforeAll(async () => {
  [ok, failing, slow] = await Promise.all([Sink.start(), Sink.start(), Sink.start()]);
  failing.reply = () => ({ status: 503 });
  // A slow receiver: each request answered 300 ms after it came (the attempt's duration is real time).
  slow.reply = () => "hang";
  slow.on("request", () => setTimeout(() => slow.answerOldest(200), 300));
  const once = { schedule: ["0s"], jitter: 0 };
  [app, browser] = await Promise.all([
    startTestApp(
      {
        delivery: { allowPrivateNetworks: true },
        destinations: [
          { slug: "hooks", url: ok.url, retry: once },
          // Answers 503 with no retry: each delivery dies at once.
          { slug: "broken", url: failing.url, retry: once },
          // Answers 503, retried only in an hour: each delivery stays pending.
          { slug: "later", url: failing.url, retry: { schedule: ["0s", "1h"], jitter: 0 } },
          { slug: "sluggish", url: slow.url, retry: once },
        ],
        routes: [{ slug: "all", source: "vercel", destinations: ["hooks", "broken", "later", "sluggish"] }],
      },
      { clock },
    ),
    launchBrowser(),
  ]);
  outcomes = new OutcomeLog(app);
  const created = await api(app, "/api/v1/sources?tenant=acme", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ slug: "acme-hook", kind: "vercel" }),
  });
  expect(created.status).toBe(201);
  acmeSecret = (created.body.secrets as string[])[0] as string;

  // 12:00: two events (and another tenant's); 12:03: one more.
  await send(2);
  const theirs = await sendVercel(
    app.url,
    { ...sampleEvent("deployment.created"), id: "acme-1" },
    acmeSecret,
    "acme-hook",
  );
  expect(theirs.status).toBe(200);
  clock.set(T0 + 3 * MINUTE);
  await send(1);
}, 60_000);

afterAll(async () => {
  await Promise.all([browser?.close(), app?.stop()]);
  await Promise.all([ok?.close(), failing?.close(), slow?.close()]);
});

/** Sends `n` events to the default tenant and waits until each of their four deliveries has its outcome. */
async function send(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const event = { ...sampleEvent("deployment.created"), id: `evt_vercel_overview_${++sent}` };
    const answer = await sendVercel(app.url, event, SECRET);
    expect(answer.status).toBe(200);
    expected += 4;
  }
  await outcomes.idleAfter(expected);
}

/** A fresh browser context at a viewport, signed in (where signing in lands: the overview). */
async function context(
  size: keyof typeof VIEWPORTS = "desktop",
  colorScheme: "light" | "dark" = "light",
): Promise<BrowserContext> {
  const ctx = await browser.newContext({ ...VIEWPORTS[size], colorScheme });
  const page = await ctx.newPage();
  await page.goto(`${app.url}/sign-in`);
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${app.url}/overview`);
  await page.close();
  return ctx;
}

/** The rows of a window's numbers table: [time, events, succeeded, failed]. */
async function numbers(page: Page, window: "hour" | "day"): Promise<string[][]> {
  return page
    .locator(`#${window}-numbers tbody tr`)
    .evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent?.trim() ?? "")));
}

/** A figure's value by its label. */
async function figure(page: Page, label: string): Promise<string> {
  const item = page.locator(".figure").filter({ has: page.getByText(label, { exact: true }) });
  return ((await item.locator(".figure-value").textContent()) ?? "").trim();
}

describe("the overview", () => {
  it(
    "counts events and attempts at their minutes, with the success rate, pending and dead counts",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(`${app.url}/`);
      expect(page.url()).toBe(`${app.url}/overview`);
      expect(await page.getByRole("link", { name: "Overview" }).getAttribute("aria-current")).toBe("page");
      // Each dead letter adds Switchyard's own event (an alert), received at the same minute.
      // 12:00: 2 events + 2 alerts; hooks and sluggish succeeded twice, broken and later failed twice.
      expect(await numbers(page, "hour")).toEqual([
        ["12:00", "4", "4", "4"],
        ["12:03", "2", "2", "2"],
      ]);
      expect(await numbers(page, "day")).toEqual([["2026-01-10 12:00", "6", "6", "6"]]);
      expect(await figure(page, "Success rate, last hour")).toBe("50%");
      expect(await figure(page, "Success rate, last 24 hours")).toBe("50%");
      expect(await figure(page, "Pending")).toBe("3");
      expect(await figure(page, "Dead letters")).toBe("3");
      // Each chart has a name and a description in words.
      const chart = page.getByRole("img", { name: "Events received per minute, last hour" });
      expect(await chart.getAttribute("aria-labelledby")).toBe("hour-events-title hour-events-desc");
      expect(await page.locator("#hour-events-desc").textContent()).toBe(
        "6 events in all; the most in one minute: 4, from 12:00 UTC.",
      );
      expect(await page.locator("#day-attempts-desc").textContent()).toBe(
        "12 delivery attempts in all: 6 succeeded, 6 failed.",
      );
      // One bar per minute with events: two in the hour's events chart.
      expect(await page.locator('svg[aria-labelledby^="hour-events"] rect.bar').count()).toBe(2);
      await ctx.close();
    },
    SLOW,
  );

  it(
    "lists the failing destinations with their last error, the slow one first, and every circuit",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(`${app.url}/overview`);
      const failingRows = page.locator("table.failing tbody tr");
      expect(await failingRows.count()).toBe(2);
      const names = await failingRows.locator("td:first-child a").allTextContents();
      expect(names.sort()).toEqual(["broken", "later"]);
      const broken = failingRows.filter({ has: page.getByRole("link", { name: "broken", exact: true }) });
      expect(await broken.textContent()).toContain("0%");
      expect(await broken.textContent()).toContain("3 of 3 failed");
      expect(await broken.locator("td").nth(2).textContent()).toContain("503");
      expect(await page.locator("table.failing").textContent()).not.toContain("hooks");

      const slowest = await page.locator("table.slowest tbody tr td:first-child a").allTextContents();
      expect(slowest[0]).toBe("sluggish");
      const p99 = await page.locator("table.slowest tbody tr").first().locator("td").nth(1).textContent();
      expect(Number.parseInt(p99 ?? "", 10)).toBeGreaterThanOrEqual(300);

      const circuits = await page.locator("ul.circuits li").allTextContents();
      expect(circuits).toHaveLength(4);
      expect(circuits.every((c) => /closed|open/.test(c))).toBe(true);
      await ctx.close();
    },
    SLOW,
  );

  it(
    "counts only the tenant's own events: another tenant's overview has its one event and no deliveries",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(`${app.url}/overview?tenant=acme`);
      expect(await numbers(page, "hour")).toEqual([["12:00", "1", "0", "0"]]);
      expect(await figure(page, "Pending")).toBe("0");
      expect(await figure(page, "Dead letters")).toBe("0");
      expect(await figure(page, "Success rate, last hour")).toBe("–");
      expect(await page.locator("ul.circuits").count()).toBe(0);
      await ctx.close();
    },
    SLOW,
  );

  it(
    "looks right at desktop and phone sizes, and dark",
    async () => {
      const looks = [
        ["desktop", "light", "overview-desktop"],
        ["phone", "light", "overview-phone"],
        ["desktop", "dark", "overview-desktop-dark"],
      ] as const;
      for (const [size, scheme, name] of looks) {
        const ctx = await context(size, scheme);
        const page = await ctx.newPage();
        await page.goto(`${app.url}/overview`);
        await page.locator("#hour-numbers summary").click();
        await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true });
        // Nothing wider than the screen.
        expect(
          await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"),
        ).toBe(0);
        await ctx.close();
      }
    },
    SLOW,
  );

  it(
    "updates its counts without a reload after a new event arrives",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`${app.url}/overview`);
      await page.locator("#hour-numbers summary").click();
      const loaded = await page.evaluate(() => performance.timeOrigin);
      expect(await figure(page, "Pending")).toBe("3");

      await send(1);
      // The page's script fetches the counts again every few seconds; within a bound, they change.
      const newest = page.locator("#hour-numbers tbody tr:last-child td").first();
      await expect.poll(() => newest.textContent(), { timeout: 30_000 }).toBe("4");
      expect(await numbers(page, "hour")).toEqual([
        ["12:00", "4", "4", "4"],
        ["12:03", "4", "4", "4"],
      ]);
      expect(await figure(page, "Pending")).toBe("4");
      expect(await figure(page, "Dead letters")).toBe("4");
      // The same document, its open table still open, and no script refused by the CSP.
      expect(await page.evaluate(() => performance.timeOrigin)).toBe(loaded);
      expect(await page.locator("#hour-numbers").getAttribute("open")).not.toBeNull();
      expect(errors).toEqual([]);
      await ctx.close();
    },
    SLOW,
  );

  it(
    "fetches nothing while its tab is hidden, and refreshes at once when shown again",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      // The page's timers run on a clock the test moves.
      await page.clock.install();
      const live: string[] = [];
      page.on("request", (r) => {
        if (new URL(r.url()).pathname === "/overview/live") live.push(r.url());
      });
      const liveAnswer = () => page.waitForResponse((r) => new URL(r.url()).pathname === "/overview/live");
      await page.goto(`${app.url}/overview`);
      const first = liveAnswer();
      await page.clock.runFor(5_000);
      expect((await first).status()).toBe(200);
      expect(live).toHaveLength(1);

      const show = (state: "hidden" | "visible") =>
        page.evaluate(
          `Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "${state}" });
          document.dispatchEvent(new Event("visibilitychange"));`,
        );
      await show("hidden");
      await page.clock.runFor(60_000);
      const shown = liveAnswer();
      await show("visible");
      expect((await shown).status()).toBe(200);
      // One fetch before it was hidden, one on being shown: none while hidden.
      expect(live).toHaveLength(2);
      await ctx.close();
    },
    SLOW,
  );

  it("sends a browser without a session to sign in, and refuses the live counts", async () => {
    const root = await fetch(`${app.url}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/overview");
    const answer = await fetch(`${app.url}/overview`, { redirect: "manual" });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe(`/sign-in?next=${encodeURIComponent("/overview")}`);
    const live = await fetch(`${app.url}/overview/live`, { redirect: "manual" });
    expect(live.status).toBe(401);
    expect(await live.text()).not.toContain("Events");
  });
});
