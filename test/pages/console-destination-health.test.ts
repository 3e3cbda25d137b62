import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CIRCUIT_POLICY } from "../../src/core/circuit-breaker.js";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, api, OutcomeLog, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { launchBrowser, SCREENSHOT_DIR, VIEWPORTS } from "../support/browser.js";
import { sendVercel } from "../support/send.js";
import { FakeClock, Sink } from "../support/sink.js";

// A destination made in the console at run time whose receiver answers 500, in headless Chromium:
// its deliveries fail and die (it gives up after 30 minutes, before its first retry is due), its circuit
// opens after the default policy's failures in a row, and what arrives then waits. The list and its
// page show it: success rate, last error with the status, p50/p99, pending, circuit open. The URL
// is fixed through the edit form, the dead letters are replayed, and once the circuit's cool-down
// has passed everything is delivered: the circuit closes, nothing is pending, and an hour later
// the success rate is 100%.

const SECRET = VERCEL_SECRETS[0] as string;
/** Failures in a row that open a circuit (the worker's policy: no option overrides it here). */
const THRESHOLD = DEFAULT_CIRCUIT_POLICY.threshold;
const HOUR = 60 * 60 * 1000;

let app: TestApp;
let browser: Browser;
let failing: Sink;
let healthy: Sink;
let outcomes: OutcomeLog;
const clock = new FakeClock(Date.now());

beforeAll(async () => {
  [failing, healthy] = await Promise.all([Sink.start(), Sink.start()]);
  failing.reply = () => ({ status: 500, body: "internal error" });
  [app, browser] = await Promise.all([
    startTestApp({ delivery: { allowPrivateNetworks: true } }, { clock }),
    launchBrowser(),
  ]);
  outcomes = new OutcomeLog(app);
}, 60_000);

afterAll(async () => {
  await Promise.all([browser?.close(), app?.stop()]);
  await Promise.all([failing?.close(), healthy?.close()]);
});

/** A fresh browser context at a viewport, signed in. */
async function signedIn(size: keyof typeof VIEWPORTS): Promise<BrowserContext> {
  const ctx = await browser.newContext(VIEWPORTS[size]);
  const page = await ctx.newPage();
  await page.goto(`${app.url}/sign-in`);
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${app.url}/overview`);
  await page.close();
  return ctx;
}

/** Sends `n` signed events through ingest; each is stored when its answer comes. */
async function sendEvents(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const event = sampleEvent("deployment.created") as { id: string };
    event.id = `evt_vercel_${randomUUID()}`;
    expect((await sendVercel(app.url, event, SECRET)).status).toBe(200);
  }
}

/** Waits for `n` more delivery outcomes with `status`. */
async function outcomesOf(n: number, status: string): Promise<void> {
  for (let i = 0; i < n; i++) await outcomes.next((o) => o.status === status);
}

/** The billing destination's row in the list, and the health list of its page, as text. */
async function healthText(page: Page): Promise<{ row: string; health: string }> {
  await page.goto(`${app.url}/destinations`);
  const row = await page
    .locator("table.destinations tbody tr")
    .filter({ has: page.getByRole("link", { name: "billing", exact: true }) })
    // biome-ignore lint/performance/useDomNodeTextContent: the words as shown, cells and terms apart
    .innerText();
  await page.goto(`${app.url}/destinations/billing`);
  // biome-ignore lint/performance/useDomNodeTextContent: the words as shown, terms and values apart
  const health = await page.locator("dl.settings").first().innerText();
  return { row: row.replace(/\s+/g, " "), health: health.replace(/\s+/g, " ") };
}

describe("a failing run-time destination's health", () => {
  it("shows the failures and the open circuit, then recovers once fixed and replayed", async () => {
    const ctx = await signedIn("desktop");
    const page = await ctx.newPage();
    try {
      // Made in the console: sent at once, and no retry before it gives up, so each failed
      // delivery dies after its one attempt.
      await page.goto(`${app.url}/destinations/new`);
      await page.getByLabel("Slug").fill("billing");
      await page.getByLabel("URL").fill(failing.url);
      await page.getByLabel("Delay before each attempt").fill("0s, 1h");
      await page.getByLabel("Give up after").fill("30m");
      await page.getByLabel("Jitter").fill("0");
      await page.getByRole("button", { name: "Create destination" }).click();
      await page.waitForLoadState();
      expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("billing");
      const route = await api(app, "/api/v1/routes", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ slug: "to-billing", source: "vercel", destinations: ["billing"] }),
      });
      expect(route.status).toBe(201);

      // As many failures in a row as open the circuit; what arrives after waits behind it.
      await sendEvents(THRESHOLD);
      await outcomesOf(THRESHOLD, "failed");
      expect(failing.received).toHaveLength(THRESHOLD);
      await sendEvents(2);
      expect((await api(app, "/api/v1/destinations/billing")).body.pending).toBe(2);

      const failingNow = await healthText(page);
      expect(failingNow.row).toContain("0%");
      expect(failingNow.row).toContain(`${THRESHOLD} attempts`);
      expect(failingNow.row).toContain("circuit open");
      expect(failingNow.row).toMatch(/\d+ ms \/ \d+ ms/);
      expect(failingNow.row).toContain("answered HTTP 500");
      expect(await pendingCell(page)).toBe("2");
      expect(failingNow.health).toContain(`open (${THRESHOLD} failures in a row)`);
      expect(failingNow.health).toContain(`0% of ${THRESHOLD} attempts`);
      expect(failingNow.health).toMatch(/Latency p50 \/ p99 \d+ ms \/ \d+ ms/);
      expect(failingNow.health).toContain("Last error answered HTTP 500");
      expect(failingNow.health).toContain("Pending 2");
      expect(failingNow.health).toContain("Last success never");
      await page.goto(`${app.url}/destinations/billing`);
      await page.screenshot({ path: `${SCREENSHOT_DIR}destination-failing-desktop.png`, fullPage: true });
      const phone = await signedIn("phone");
      const phonePage = await phone.newPage();
      await phonePage.goto(`${app.url}/destinations/billing`);
      await phonePage.screenshot({ path: `${SCREENSHOT_DIR}destination-failing-phone.png`, fullPage: true });

      // The fix: the URL of a receiver that answers 200, through the edit form.
      await page.getByRole("link", { name: "Edit" }).click();
      await page.getByLabel("URL").fill(healthy.url);
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.waitForURL(`${app.url}/destinations/billing?done=updated`);

      // The replay: every dead letter of the destination, after the dry run counts them.
      await page.goto(`${app.url}/dead-letters?destination=billing`);
      await page.getByRole("button", { name: "Replay all that match…" }).click();
      await page.waitForURL(`${app.url}/dead-letters/replay-all?destination=billing`);
      expect(await page.getByRole("status").textContent()).toContain(
        `This will put ${THRESHOLD} dead letters back in the queue.`,
      );
      await page.getByRole("button", { name: "Put them back in the queue" }).click();
      await page.waitForURL(/requeued=/);
      // Nothing goes while the circuit rests; after its cool-down a probe goes, then the rest.
      expect(healthy.received).toHaveLength(0);
      clock.advance(DEFAULT_CIRCUIT_POLICY.baseCooldownMs);
      app.worker.notify();
      await outcomesOf(THRESHOLD + 2, "succeeded");
      expect(healthy.received).toHaveLength(THRESHOLD + 2);
      expect(failing.received).toHaveLength(THRESHOLD);

      const recovered = await healthText(page);
      const total = 2 * THRESHOLD + 2;
      const rate = ((100 * (THRESHOLD + 2)) / total).toFixed(1);
      expect(recovered.row).toContain(`${rate}%`);
      expect(recovered.row).toContain("circuit closed");
      expect(await pendingCell(page)).toBe("0");
      expect(recovered.health).toContain("Circuit closed");
      expect(recovered.health).toContain("Pending 0");
      expect(recovered.health).not.toContain("Last success never");
      await page.screenshot({ path: `${SCREENSHOT_DIR}destination-recovered-desktop.png`, fullPage: true });

      // An hour on, the failures have left the window: every attempt in it succeeded.
      clock.advance(HOUR - DEFAULT_CIRCUIT_POLICY.baseCooldownMs + 1000);
      const later = await healthText(page);
      expect(later.row).toContain("100%");
      expect(later.health).toContain("Last error none in the last hour");
      await phonePage.goto(`${app.url}/destinations/billing`);
      await phonePage.screenshot({
        path: `${SCREENSHOT_DIR}destination-recovered-phone.png`,
        fullPage: true,
      });
      await phone.close();
    } finally {
      await ctx.close();
    }
  }, 180_000);
});

/** The pending count of billing's row in the list (the page last opened the list first). */
async function pendingCell(page: Page): Promise<string> {
  await page.goto(`${app.url}/destinations`);
  const row = page
    .locator("table.destinations tbody tr")
    .filter({ has: page.getByRole("link", { name: "billing", exact: true }) });
  return ((await row.locator("td").nth(4).textContent()) ?? "").trim();
}
