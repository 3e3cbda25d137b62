import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, api, OutcomeLog, VERCEL_SECRETS } from "../support/app.js";
import { seriousViolations } from "../support/axe.js";
import { launchBrowser, VIEWPORTS } from "../support/browser.js";
import { focused } from "../support/focus.js";
import { type IntegrationApp, startIntegrationApp } from "../support/integration-app.js";
import { sendVercel } from "../support/send.js";
import { Sink } from "../support/sink.js";

// Every page of the web UI, the console's and the integration's, checked with axe-core's WCAG 2.1
// A and AA rules in headless Chromium at desktop and phone widths, light and dark: no serious or
// critical violation, and the first Tab stop is the link that skips to the page's main content.
// A page is one entry of PAGES: a path and what to do there first.

/** What the pages are about, made once before any is opened. */
interface Fixture {
  /** An event whose delivery to `broken` failed for good (a dead letter), with its attempts. */
  eventId: string;
  /** The integration's installation, set up, its configuration page open to this browser. */
  configurationId: string;
  /** The installation's test event, delivered to its endpoint. */
  installationEventId: string;
}

/** One page to check: where it is, and what brings it to the state checked. */
interface PageCase {
  name: string;
  path: (f: Fixture) => string;
  /** Opened without a session (sign-in); else signed in to the console and the integration. */
  anonymous?: boolean;
  /** The answer's status when it is not 200 (after `prepare`, the last answer's). */
  status?: number;
  /** What to do on the page before it is checked: fill and post a form, and so on. */
  prepare?: (page: Page) => Promise<void>;
}

/** Posts the form of the button named `name`, waiting for the answer's page. */
async function press(page: Page, name: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.getByRole("button", { name, exact: true }).click()]);
}

const PAGES: PageCase[] = [
  { name: "sign-in", path: () => "/sign-in", anonymous: true },
  {
    name: "sign-in with a wrong token",
    path: () => "/sign-in",
    anonymous: true,
    status: 401,
    prepare: async (page) => {
      await page.getByLabel("Admin token").fill("not-the-token");
      await press(page, "Sign in");
    },
  },
  { name: "overview", path: () => "/overview" },
  { name: "events list", path: () => "/events" },
  { name: "events list, live", path: () => "/events?live=1" },
  { name: "events list, a payload search", path: () => "/events?q=production" },
  { name: "events list, a bad filter", path: () => "/events?since=yesterday", status: 400 },
  { name: "an event with a failed delivery", path: (f) => `/events/${f.eventId}` },
  { name: "destinations list", path: () => "/destinations" },
  { name: "a run-time destination", path: () => "/destinations/flaky" },
  { name: "a config file's destination", path: () => "/destinations/broken" },
  { name: "a destination's edit form", path: () => "/destinations/flaky/edit" },
  {
    name: "a form with field errors",
    path: () => "/destinations/new",
    status: 400,
    prepare: async (page) => {
      await page.getByLabel("Slug").fill("not a slug!");
      await page.getByLabel("URL").fill("ftp://files.example.com/hook");
      await press(page, "Create destination");
    },
  },
  { name: "routes list", path: () => "/routes" },
  { name: "a config file's route", path: () => "/routes/all" },
  { name: "the route editor with a filter group", path: () => "/routes/prod" },
  { name: "a new route", path: () => "/routes/new" },
  {
    name: "a route test result",
    path: () => "/routes/prod",
    prepare: async (page) => {
      await page.getByLabel("A sample of type").selectOption("deployment.created");
      await press(page, "Test this route");
    },
  },
  { name: "dead letters list", path: () => "/dead-letters" },
  { name: "the bulk replay confirmation", path: () => "/dead-letters/replay-all?all=1" },
  { name: "not found", path: () => "/destinations/no-such-destination", status: 404 },
  {
    name: "a form refused for its CSRF token",
    path: (f) => `/events/${f.eventId}`,
    status: 403,
    prepare: async (page) => {
      await page
        .locator('form[action$="/replay"] input[name="csrf"]')
        .last()
        .evaluate((input) => {
          (input as unknown as { value: string }).value = "forged";
        });
      await press(page, "Replay to every route");
    },
  },
  {
    name: "the integration's configuration page",
    path: (f) => `/integrations/vercel/configure?configurationId=${f.configurationId}`,
  },
  { name: "the installation's events list", path: () => "/integrations/vercel/events" },
  { name: "an installation's event", path: (f) => `/integrations/vercel/events/${f.installationEventId}` },
  { name: "the integration's setup page", path: () => "/integrations/vercel/setup" },
  { name: "the integration's message page", path: () => "/integrations/vercel/closed" },
  { name: "the API reference", path: () => "/api/reference" },
];

/** The four ways each page is looked at. */
const VARIANTS: Record<string, BrowserContextOptions> = {
  "desktop, light": { ...VIEWPORTS.desktop, colorScheme: "light" },
  "desktop, dark": { ...VIEWPORTS.desktop, colorScheme: "dark" },
  "phone, light": { ...VIEWPORTS.phone, colorScheme: "light" },
  "phone, dark": { ...VIEWPORTS.phone, colorScheme: "dark" },
};

const SECRET = VERCEL_SECRETS[0] as string;

let t: IntegrationApp;
let browser: Browser;
let ok: Sink;
let down: Sink;
const fixture: Fixture = { eventId: "", configurationId: "", installationEventId: "" };
/** The cookies of a browser signed in to the console and holding the installation's session. */
let signedIn: Awaited<ReturnType<BrowserContext["storageState"]>>;

beforeAll(async () => {
  [ok, down] = await Promise.all([Sink.start(), Sink.start()]);
  down.reply = () => ({ status: 500, body: "down for maintenance" });
  [t, browser] = await Promise.all([
    startIntegrationApp({
      overrides: {
        destinations: [
          { slug: "hooks", url: ok.url },
          { slug: "broken", url: down.url, retry: { schedule: ["0s"], jitter: 0 } },
        ],
        routes: [{ slug: "all", source: "vercel", destinations: ["hooks", "broken"] }],
        actions: [{ slug: "notify", kind: "http", url: "http://127.0.0.1:1/hook" }],
        checks: [
          {
            name: "Smoke test",
            kind: "http",
            url: "https://{deployment.url}/api/health",
            blocking: true,
            expect: { status: 200 },
          },
        ],
      },
    }),
    launchBrowser(),
  ]);
  const app = t.app;
  const outcomes = new OutcomeLog(app);
  const created = await api(app, "/api/v1/destinations", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ slug: "flaky", url: `${ok.url}/flaky`, rateLimit: "50/s" }),
  });
  expect(created.status).toBe(201);
  const route = await api(app, "/api/v1/routes", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      slug: "prod",
      source: "vercel",
      destinations: ["flaky"],
      types: ["deployment.*"],
      filter: {
        logic: "and",
        conditions: [
          { field: "type", operator: "equals", value: "deployment.created" },
          {
            logic: "or",
            conditions: [
              { field: "payload.target", operator: "equals", value: "production" },
              { field: "payload.target", operator: "equals", value: "preview" },
            ],
          },
        ],
      },
    }),
  });
  expect(route.status).toBe(201);

  // One event: delivered to hooks and flaky, dead at broken after its two attempts.
  const event = sampleEvent("deployment.created") as { id: string };
  event.id = `evt_vercel_${randomUUID()}`;
  const answer = await sendVercel(app.url, event, SECRET);
  expect(answer.status).toBe(200);
  fixture.eventId = (answer.body as { eventId: string }).eventId;
  await outcomes.next((o) => o.status === "failed");

  // Signed in to the console, and the installation set up from the same browser.
  t.vercel.setProjects("team_fake1", ["web", "api"]);
  const setup = await browser.newContext(VIEWPORTS.desktop);
  const page = await setup.newPage();
  await page.goto(`${app.url}/sign-in`);
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${app.url}/overview`);
  await page.goto(`${app.url}/integrations/vercel/install`);
  fixture.configurationId = new URL(page.url()).searchParams.get("configurationId") ?? "";
  await page.getByLabel("Endpoint URL").fill(ok.url);
  await page.getByLabel("All deployment events (10)").check();
  await Promise.all([
    page.waitForURL(/\/installed$/),
    page.getByRole("button", { name: "Save and finish" }).click(),
  ]);
  await page.goto(`${app.url}/integrations/vercel/configure?configurationId=${fixture.configurationId}`);
  await press(page, "Send a test event");
  const tested = await api(app, `/api/v1/events?tenant=${fixture.configurationId}&type=test-webhook`);
  fixture.installationEventId = (tested.body.data as { id: string }[])[0]?.id ?? "";
  expect(fixture.installationEventId).toMatch(/^evt_/);
  signedIn = await setup.storageState();
  await setup.close();
}, 120_000);

afterAll(async () => {
  await Promise.all([browser?.close(), t?.close()]);
  await Promise.all([ok?.close(), down?.close()]);
});

for (const [variant, options] of Object.entries(VARIANTS)) {
  describe(variant, { timeout: 120_000, concurrent: true }, () => {
    let signed: BrowserContext;
    let anonymous: BrowserContext;

    beforeAll(async () => {
      [signed, anonymous] = await Promise.all([
        browser.newContext({ ...options, storageState: signedIn }),
        browser.newContext(options),
      ]);
    });
    afterAll(async () => {
      await Promise.all([signed?.close(), anonymous?.close()]);
    });

    for (const entry of PAGES) {
      it(`${entry.name}: no serious or critical violation, and a skip link first`, async () => {
        const page = await (entry.anonymous ? anonymous : signed).newPage();
        try {
          // The last page answered (a redirect's answer is followed by its target's).
          let status = 0;
          page.on("response", (r) => {
            if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) status = r.status();
          });
          await page.goto(`${t.app.url}${entry.path(fixture)}`);
          await entry.prepare?.(page);
          expect(status).toBe(entry.status ?? 200);
          expect(await seriousViolations(page)).toEqual([]);
          await page.keyboard.press("Tab");
          expect((await focused(page)).name).toBe("Skip to main content");
        } finally {
          await page.close();
        }
      });
    }
  });
}
