import { randomUUID } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, api, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { launchBrowser, VIEWPORTS } from "../support/browser.js";
import { focused, focusRing, tabTo } from "../support/focus.js";
import { sendVercel } from "../support/send.js";
import { Sink } from "../support/sink.js";

// The console with the keyboard alone, in headless Chromium, light and dark: sign in, the skip
// link first on every page, the navigation, open an event and replay it, open the destinations,
// disable and enable one, change its settings through its form. At each step the test says where
// focus is, and that it is visible: an outline that stands out from what is behind it.

const SECRET = VERCEL_SECRETS[0] as string;
/** WCAG 2.1's least contrast for what shows a control's state (1.4.11). */
const NON_TEXT_CONTRAST = 3;

let app: TestApp;
let browser: Browser;
let sink: Sink;
let eventId: string;

beforeAll(async () => {
  sink = await Sink.start();
  [app, browser] = await Promise.all([
    startTestApp({
      delivery: { allowPrivateNetworks: true },
      destinations: [{ slug: "hooks", url: sink.url }],
      routes: [{ slug: "all", source: "vercel", destinations: ["hooks"] }],
    }),
    launchBrowser(),
  ]);
  const created = await api(app, "/api/v1/destinations", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ slug: "orders", url: `${sink.url}/orders` }),
  });
  expect(created.status).toBe(201);
  const event = sampleEvent("deployment.created") as { id: string };
  event.id = `evt_vercel_${randomUUID()}`;
  const delivered = sink.waitFor(1);
  const answer = await sendVercel(app.url, event, SECRET);
  expect(answer.status).toBe(200);
  eventId = (answer.body as { eventId: string }).eventId;
  await delivered;
}, 60_000);

afterAll(async () => {
  await Promise.all([browser?.close(), app?.stop()]);
  await sink?.close();
});

/** Fails unless what has focus shows it: a solid outline of 2 px or more that contrasts enough. */
async function expectVisibleFocus(page: Page): Promise<void> {
  const ring = await focusRing(page);
  const where = JSON.stringify(await focused(page));
  expect(ring.style, where).toBe("solid");
  expect(ring.width, where).toBeGreaterThanOrEqual(2);
  expect(ring.contrast, where).toBeGreaterThanOrEqual(NON_TEXT_CONTRAST);
}

/** Presses Tab until `name` has focus, checks it is visible, and presses `key` on it. */
async function activate(page: Page, name: string | RegExp, key: "Enter" | "Space" = "Enter") {
  await tabTo(page, name);
  await expectVisibleFocus(page);
  await Promise.all([page.waitForNavigation(), page.keyboard.press(key)]);
}

/** The first stops of a console page: the skip link, the name, the sections, sign out. */
async function expectHeaderStops(page: Page): Promise<void> {
  const stops: string[] = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press("Tab");
    stops.push((await focused(page)).name);
    await expectVisibleFocus(page);
  }
  expect(stops).toEqual([
    "Skip to main content",
    "Switchyard",
    "Overview",
    "Events",
    "Destinations",
    "Routes",
    "Dead letters",
    "Sign out",
  ]);
}

describe.each(["light", "dark"] as const)("the console with the keyboard alone, %s", (colorScheme) => {
  it("signs in, replays an event, disables and enables a destination, and saves its form", async () => {
    const ctx = await browser.newContext({ ...VIEWPORTS.desktop, colorScheme });
    const page = await ctx.newPage();
    try {
      // Sign in: the skip link first, and it takes focus to the page's main content.
      await page.goto(`${app.url}/sign-in?next=${encodeURIComponent("/events")}`);
      await page.keyboard.press("Tab");
      expect((await focused(page)).name).toBe("Skip to main content");
      await expectVisibleFocus(page);
      await page.keyboard.press("Enter");
      expect((await focused(page)).id).toBe("main");
      await page.keyboard.press("Tab");
      expect(await focused(page)).toMatchObject({ tag: "input", name: "Admin token" });
      await expectVisibleFocus(page);
      await page.keyboard.type(ADMIN_TOKEN);
      await Promise.all([page.waitForURL(`${app.url}/events`), page.keyboard.press("Enter")]);

      // The header, in order, then the list's newest event.
      await expectHeaderStops(page);
      const passed = await tabTo(page, "deployment.created");
      // Live, then the filters and their button (a date and time field takes a stop per part,
      // as the browser draws it: listed once here).
      expect(passed.filter((name, i) => name !== passed[i - 1])).toEqual([
        "Live",
        "Tenant",
        "Type",
        "Source",
        "Received since (UTC)",
        "Received before (UTC)",
        "Event id",
        "Payload contains",
        "Filter",
      ]);
      await expectVisibleFocus(page);
      await Promise.all([page.waitForURL(`${app.url}/events/${eventId}`), page.keyboard.press("Enter")]);

      // Replay with Space on the button.
      await activate(page, "Replay to every route", "Space");
      expect(await page.getByRole("status").textContent()).toMatch(/replay/i);
      await sink.waitFor(2);

      // The destinations through the navigation, then one of them.
      await page.keyboard.press("Tab");
      expect((await focused(page)).name).toBe("Skip to main content");
      await activate(page, "Destinations");
      expect(page.url()).toBe(`${app.url}/destinations`);
      expect(await page.getByRole("link", { name: "Destinations" }).getAttribute("aria-current")).toBe(
        "page",
      );
      await activate(page, "orders");
      expect(page.url()).toBe(`${app.url}/destinations/orders`);

      await activate(page, "Disable", "Space");
      expect(await page.getByRole("status").textContent()).toContain("The destination is disabled");
      expect((await api(app, "/api/v1/destinations/orders")).body.state).toBe("disabled");
      await activate(page, "Enable");
      expect(await page.getByRole("status").textContent()).toContain("The destination is enabled");
      expect((await api(app, "/api/v1/destinations/orders")).body.state).toBe("active");

      // Its form: Tab to a field, change it, Enter saves.
      await activate(page, "Edit");
      expect(page.url()).toBe(`${app.url}/destinations/orders/edit`);
      await tabTo(page, "Timeout");
      expect((await focused(page)).id).toBe("field-timeout");
      await expectVisibleFocus(page);
      const timeout = colorScheme === "light" ? "15s" : "20s";
      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.type(timeout);
      await Promise.all([
        page.waitForURL(`${app.url}/destinations/orders?done=updated`),
        page.keyboard.press("Enter"),
      ]);
      expect(await page.getByRole("status").textContent()).toContain("The changes were saved.");
      expect(app.topology.destination("default", "orders")?.config.timeout).toBe(
        colorScheme === "light" ? 15_000 : 20_000,
      );
    } finally {
      await ctx.close();
    }
  }, 120_000);
});
