import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClaimedDelivery } from "../../src/core/delivery-types.js";
import { DEFAULT_TENANT } from "../../src/core/types.js";
import { CONSOLE_SCRIPTS } from "../../src/pages/console/scripts.js";
import { pageCsp } from "../../src/pages/security-headers.js";
import type { DeliveryOutcome } from "../../src/storage/port.js";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { launchBrowser, SCREENSHOT_DIR, VIEWPORTS } from "../support/browser.js";
import { sendVercel } from "../support/send.js";
import { FakeClock, Sink } from "../support/sink.js";

// The console in headless Chromium: sign in with the admin token, find an event in the list,
// open it, see its failed delivery's attempts, fix the destination, replay, see it succeed; and
// the refusals: a wrong token, no session, an expired one, a form without its CSRF token, another
// tenant's event.

const SECRET = VERCEL_SECRETS[0] as string;
const HOUR = 60 * 60 * 1000;

let app: TestApp;
let browser: Browser;
let sink: Sink;
const clock = new FakeClock(Date.now());

beforeAll(async () => {
  sink = await Sink.start();
  [app, browser] = await Promise.all([
    startTestApp(
      {
        delivery: { allowPrivateNetworks: true },
        destinations: [{ slug: "hooks", url: sink.url, retry: { schedule: ["0s"], jitter: 0 } }],
        routes: [{ slug: "all", source: "vercel", destinations: ["hooks"] }],
      },
      { clock },
    ),
    launchBrowser(),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([browser?.close(), app?.stop()]);
  await sink?.close();
});

/** A fresh browser context at a viewport, signed in unless told not to. */
async function context(size: keyof typeof VIEWPORTS = "desktop", signIn = true): Promise<BrowserContext> {
  const ctx = await browser.newContext(VIEWPORTS[size]);
  if (signIn) {
    const page = await ctx.newPage();
    await page.goto(`${app.url}/sign-in`);
    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    // Signing in with no page asked for lands on the overview.
    await page.waitForURL(`${app.url}/overview`);
    await page.close();
  }
  return ctx;
}

async function shoot(page: Page, name: string, size: string) {
  await page.screenshot({ path: `${SCREENSHOT_DIR}console-${name}-${size}.png`, fullPage: true });
}

/** Resolves with the first delivery outcome of `eventId` with `status`, from now on. */
function outcomeOf(eventId: string, status: string): Promise<void> {
  return new Promise((resolve) => {
    const listen = (outcome: DeliveryOutcome, delivery: ClaimedDelivery) => {
      if (delivery.eventId !== eventId || outcome.status !== status) return;
      app.worker.off("outcome", listen);
      resolve();
    };
    app.worker.on("outcome", listen);
  });
}

/** Sends a signed event through ingest and waits until its delivery has its first outcome. */
async function ingest(type = "deployment.created"): Promise<string> {
  const event = sampleEvent(type) as { id: string };
  event.id = `evt_vercel_${randomUUID()}`;
  const delivered = new Promise<string>((resolve) => {
    app.worker.once("outcome", (_outcome, delivery) => resolve(delivery.eventId));
  });
  const answer = await sendVercel(app.url, event, SECRET);
  expect(answer.status).toBe(200);
  const eventId = (answer.body as { eventId: string }).eventId;
  // One event at a time here: the next outcome is this event's.
  expect(await delivered).toBe(eventId);
  return eventId;
}

describe("signing in", () => {
  it("sends a browser without a session to sign in, and back where it was going after", async () => {
    const ctx = await context("desktop", false);
    const page = await ctx.newPage();
    const answer = await page.goto(`${app.url}/events?type=deployment.created`);
    expect(page.url()).toBe(
      `${app.url}/sign-in?next=${encodeURIComponent("/events?type=deployment.created")}`,
    );
    // The console's CSP: its registered scripts by hash, nothing else.
    expect(answer?.headers()["content-security-policy"]).toBe(pageCsp([], CONSOLE_SCRIPTS));
    await shoot(page, "sign-in", "desktop");

    await page.getByLabel("Admin token").fill("not-the-token-at-all");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await page.getByRole("alert").textContent()).toContain("That is not this server's admin token.");
    expect(await page.getByLabel("Admin token").getAttribute("aria-invalid")).toBe("true");

    await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${app.url}/events?type=deployment.created`);
    const cookies = await ctx.cookies();
    const session = cookies.find((c) => c.name === "switchyard_console");
    expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
    // The browser holds a session, never the token.
    expect(cookies.some((c) => c.value.includes(ADMIN_TOKEN))).toBe(false);
    await ctx.close();
  });

  it("refuses a wrong token with 401 and a redirect to another site as `next`", async () => {
    const wrong = await fetch(`${app.url}/sign-in`, {
      method: "POST",
      body: new URLSearchParams({ token: "wrong", next: "/events" }),
      redirect: "manual",
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    for (const next of ["//evil.example/x", "/\\evil.example", "https://evil.example/"]) {
      const right = await fetch(`${app.url}/sign-in`, {
        method: "POST",
        body: new URLSearchParams({ token: ADMIN_TOKEN, next }),
        redirect: "manual",
      });
      expect(right.status).toBe(303);
      expect(right.headers.get("location")).toBe("/overview");
    }
  });

  it("signs out: the session ends on the server, not only in the browser", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/events`);
    const [session] = (await ctx.cookies()).filter((c) => c.name === "switchyard_console");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${app.url}/sign-in?ended=1`);
    expect(await page.getByRole("status").textContent()).toContain("You are signed out.");
    // The old cookie, presented again, opens nothing.
    const again = await fetch(`${app.url}/events`, {
      headers: { cookie: `switchyard_console=${session?.value}` },
      redirect: "manual",
    });
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toMatch(/^\/sign-in\?next=/);
    await ctx.close();
  });

  it("ends a session after 8 hours", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/events`);
    expect(page.url()).toBe(`${app.url}/events`);
    clock.advance(8 * HOUR + 1);
    await page.goto(`${app.url}/events`);
    expect(page.url()).toMatch(/\/sign-in\?next=%2Fevents$/);
    await ctx.close();
  });
});

describe("events", () => {
  it("lists an ingested event, opens it, shows the failed attempt, and a replay after the fix succeeds", async () => {
    sink.reply = () => ({ status: 500, body: "down for maintenance" });
    const eventId = await ingest();
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/events`);
    const link = page.getByRole("link", { name: eventId });
    await link.click();
    await page.waitForURL(`${app.url}/events/${eventId}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("deployment.created");
    const row = page.getByRole("row", { name: /hooks/ });
    expect(await row.textContent()).toContain("dead");
    expect(await row.textContent()).toContain("HTTP 500");
    // What the destination answered, one click away.
    await row.getByText("Response").click();
    expect(await row.locator("pre").textContent()).toContain("down for maintenance");
    // The payload, pretty-printed.
    expect(await page.locator("#payload").textContent()).toContain(`"type": "deployment.created"`);
    await shoot(page, "event-failed", "desktop");

    // The destination is fixed; replay to every route.
    sink.reply = () => ({ status: 200 });
    const delivered = outcomeOf(eventId, "succeeded");
    await page.getByRole("button", { name: "Replay to every route" }).click();
    await page.waitForURL(`${app.url}/events/${eventId}?replayed=1`);
    expect(await page.getByRole("status").textContent()).toContain("Replayed: 1 new delivery");
    await delivered;
    await page.reload();
    const rows = await page.getByRole("row", { name: /hooks/ }).allTextContents();
    expect(rows.some((r) => r.includes("succeeded") && r.includes("HTTP 200"))).toBe(true);
    expect(rows.some((r) => r.includes("dead"))).toBe(true);
    await ctx.close();
  });

  it("filters by type and pages with a cursor", async () => {
    for (let i = 0; i < 3; i++) await ingest("project.created");
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/events`);
    await page.getByLabel("Type").fill("project.created");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/type=project.created/);
    const cells = await page.locator("tbody tr td:nth-child(2)").allTextContents();
    expect(cells).toHaveLength(3);
    expect(cells.every((t) => t.startsWith("project.created"))).toBe(true);
    // Two a page: the second page holds the oldest, and no link onwards.
    await page.goto(`${app.url}/events?type=project.created&limit=2`);
    const first = await page.locator("tbody a.mono").allTextContents();
    expect(first).toHaveLength(2);
    await page.getByRole("link", { name: "Older events" }).click();
    const second = await page.locator("tbody a.mono").allTextContents();
    expect(second).toHaveLength(1);
    expect(first).not.toContain(second[0]);
    expect(await page.getByRole("link", { name: "Older events" }).count()).toBe(0);
    for (const size of ["desktop", "phone"] as const) {
      const sized = await context(size);
      const p = await sized.newPage();
      await p.goto(`${app.url}/events`);
      await shoot(p, "events", size);
      const first = await p.locator("tbody a").first().getAttribute("href");
      await p.goto(`${app.url}${first}`);
      await shoot(p, "event", size);
      await sized.close();
    }
    await ctx.close();
  });

  it("refuses a replay without the session's CSRF token, and changes nothing", async () => {
    const eventId = await ingest();
    const ctx = await context();
    const [session] = (await ctx.cookies()).filter((c) => c.name === "switchyard_console");
    const before = (await app.store.forTenant(DEFAULT_TENANT).listDeliveries({ eventId, limit: 10 })).length;
    for (const csrf of [undefined, "forged"]) {
      const answer = await fetch(`${app.url}/events/${eventId}/replay`, {
        method: "POST",
        headers: { cookie: `switchyard_console=${session?.value}` },
        body: new URLSearchParams(csrf ? { csrf } : {}),
        redirect: "manual",
      });
      expect(answer.status).toBe(403);
      expect(await answer.text()).toContain("invalid_csrf");
    }
    const after = (await app.store.forTenant(DEFAULT_TENANT).listDeliveries({ eventId, limit: 10 })).length;
    expect(after).toBe(before);
    await ctx.close();
  });

  it("does not show another tenant's event under this tenant, nor a malformed id", async () => {
    const eventId = await ingest();
    const ctx = await context();
    const page = await ctx.newPage();
    const other = await page.goto(`${app.url}/events/${eventId}?tenant=acme`);
    expect(other?.status()).toBe(404);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Not found");
    const malformed = await page.goto(`${app.url}/events/evt_nope`);
    expect(malformed?.status()).toBe(404);
    const badTenant = await page.goto(`${app.url}/events?tenant=${encodeURIComponent("a b")}`);
    expect(badTenant?.status()).toBe(400);
    await ctx.close();
  });
});
