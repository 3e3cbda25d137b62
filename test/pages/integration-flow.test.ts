import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, OutcomeLog, VERCEL_SECRETS } from "../support/app.js";
import { launchBrowser, SCREENSHOT_DIR, VIEWPORTS } from "../support/browser.js";
import { type IntegrationApp, SLUG, startIntegrationApp } from "../support/integration-app.js";
import { post, sendVercel, vercelSignature } from "../support/send.js";
import { Sink } from "../support/sink.js";

// The whole install flow in headless Chromium against the fake Vercel: the install link, the
// setup page, the save, Vercel's `next`; a signed integration webhook relayed to the chosen
// endpoint; the configuration page in the same browser.

let t: IntegrationApp;
let sink: Sink;
let browser: Browser;
let outcomes: OutcomeLog;
let projects: { id: string; name: string }[];

beforeAll(async () => {
  [t, sink, browser] = await Promise.all([startIntegrationApp(), Sink.start(), launchBrowser()]);
  outcomes = new OutcomeLog(t.app);
  projects = t.vercel.setProjects("team_fake1", ["web", "api", "docs"]);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
});

afterAll(async () => {
  await Promise.all([browser?.close(), t?.close(), sink?.close()]);
});

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true });
}

function webhook(event: Record<string, unknown>) {
  const body = JSON.stringify(event);
  return post(`${t.app.url}/integrations/vercel/webhook`, body, {
    "x-vercel-signature": vercelSignature(body, t.vercel.clientSecret),
  });
}

const deployment = (id: string, projectId: string) => ({
  id,
  type: "deployment.created",
  createdAt: Date.now(),
  payload: {
    team: { id: "team_fake1" },
    user: { id: t.vercel.userId },
    deployment: { id: `dpl_${id}`, url: "web-abc.vercel.app", name: "web", meta: {} },
    project: { id: projectId },
    links: { deployment: "https://vercel.com/x", project: "https://vercel.com/y" },
    target: "production",
    plan: "pro",
    regions: ["iad1"],
  },
});

describe("installing, in Chromium", () => {
  let context: BrowserContext;
  let page: Page;
  let configurationId: string;
  let secret: string;

  beforeAll(async () => {
    context = await browser.newContext(VIEWPORTS.desktop);
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
  });

  it("opens the install link and lands on the setup page", async () => {
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`${m.text()} ${m.location().url}`);
    });
    const response = await page.goto(`${t.app.url}/integrations/vercel/install`);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/integrations/vercel/callback");
    configurationId = new URL(page.url()).searchParams.get("configurationId") ?? "";
    expect(configurationId).toMatch(/^icfg_/);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(
      "Where should your Vercel events go?",
    );
    // The projects come from Vercel's API with the new token, in the team's scope.
    for (const p of projects) await expect(page.getByLabel(p.name, { exact: true }).count()).resolves.toBe(1);
    const listed = t.vercel.apiRequests.filter((r) => r.path === "/v10/projects");
    expect(listed.at(-1)?.query.teamId).toBe("team_fake1");
    // Lifecycle events are never offered.
    expect(await page.locator('input[value^="integration-configuration"]').count()).toBe(0);
    secret = await page.getByLabel("Signing secret").inputValue();
    expect(secret).toMatch(/^[0-9a-f]{48}$/);
    expect(errors).toEqual([]);
    await screenshot(page, "integration-setup-desktop");
    const phone = await browser.newContext(VIEWPORTS.phone);
    try {
      const phonePage = await phone.newPage();
      await phonePage.setContent(await page.content());
      await phonePage.screenshot({ path: `${SCREENSHOT_DIR}integration-setup-phone.png`, fullPage: true });
      const overflow = await phonePage.evaluate<number>(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      expect(overflow).toBeLessThanOrEqual(0);
    } finally {
      await phone.close();
    }
  });

  it("saves the choice and ends at Vercel's next", async () => {
    await page.getByLabel("Endpoint URL").fill(sink.url);
    await page.getByLabel("All deployment events (10)").check();
    await page.getByLabel("Only the projects chosen below").check();
    await page.getByLabel("web", { exact: true }).check();
    await Promise.all([
      page.waitForURL(/\/installed$/),
      page.getByRole("button", { name: "Save and finish" }).click(),
    ]);
    expect(page.url()).toBe(`${t.vercel.siteUrl}/integrations/${SLUG}/installed`);

    const destinations = await api(t.app, `/api/v1/destinations?tenant=${configurationId}`);
    expect(destinations.status).toBe(200);
    expect(JSON.stringify(destinations.body)).not.toContain(secret);
    const installations = await api(t.app, "/api/v1/installations");
    expect(installations.body.data).toHaveLength(1);
    expect(JSON.stringify(installations.body)).not.toContain("accessToken");
  });

  it("relays a signed integration webhook of a chosen project to the endpoint, byte for byte", async () => {
    const web = projects.find((p) => p.name === "web")?.id ?? "";
    const docs = projects.find((p) => p.name === "docs")?.id ?? "";
    const skipped = await webhook(deployment("evt_flow_docs", docs));
    expect(skipped.status).toBe(200);
    const event = deployment("evt_flow_web", web);
    const sent = await webhook(event);
    expect(sent.status).toBe(200);
    const [received] = await sink.waitFor(1);
    expect(received?.body.toString()).toBe(JSON.stringify(event));
    expect(received?.headers["x-vercel-signature"]).toBe(vercelSignature(JSON.stringify(event), secret));
    // The other project's event is the installation's, stored, with no delivery.
    const events = await api(t.app, `/api/v1/events?tenant=${configurationId}`);
    const docsEvent = (events.body.data as { id: string; externalId: string }[]).find(
      (e) => e.externalId === "evt_flow_docs",
    );
    expect(docsEvent).toBeDefined();
    const deliveries = await api(
      t.app,
      `/api/v1/deliveries?tenant=${configurationId}&event=${docsEvent?.id}`,
    );
    expect(deliveries.body.data).toEqual([]);
    await outcomes.next((o) => o.status === "succeeded");
  });

  it("shows the delivery on the configuration page in the same browser", async () => {
    await page.goto(`${t.app.url}/integrations/vercel/configure?configurationId=${configurationId}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Relay configuration");
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("deployment.created");
    expect(await rows.first().textContent()).toContain("succeeded · 200");
    expect(await page.getByRole("main").textContent()).toContain(sink.url);
    // The server declares no deployment actions or checks: there is nothing to turn off.
    expect(await page.getByRole("heading", { name: "Deployment actions and checks" }).count()).toBe(0);
    await screenshot(page, "integration-configure-desktop");
  });

  it("sends a test event to the endpoint", async () => {
    await Promise.all([
      page.waitForURL(/sent=1/),
      page.getByRole("button", { name: "Send a test event" }).click(),
    ]);
    expect(await page.getByRole("status").textContent()).toContain("test event is on its way");
    const received = await sink.waitFor(2);
    expect(received[1]?.json.type).toBe("test-webhook");
    expect(received[1]?.headers["x-vercel-signature"]).toBe(vercelSignature(received[1]?.body ?? "", secret));
  });

  it("rotates the signing secret, shown once, and signs with the new one", async () => {
    await page.getByRole("button", { name: "Rotate signing secret" }).click();
    await page.waitForLoadState();
    const rotated = (await page.locator("#new-secret").textContent())?.trim() ?? "";
    expect(rotated).toMatch(/^[0-9a-f]{48}$/);
    expect(rotated).not.toBe(secret);
    const web = projects.find((p) => p.name === "web")?.id ?? "";
    const event = deployment("evt_flow_rotated", web);
    expect((await webhook(event)).status).toBe(200);
    const received = await sink.waitFor(3);
    expect(received[2]?.headers["x-vercel-signature"]).toBe(vercelSignature(JSON.stringify(event), rotated));
    // Shown once: the page shows it no more.
    await page.goto(`${t.app.url}/integrations/vercel/configure?configurationId=${configurationId}`);
    expect(await page.content()).not.toContain(rotated);
    await screenshot(page, "integration-configure-after");
    const phone = await browser.newContext(VIEWPORTS.phone);
    try {
      await phone.addCookies(await context.cookies());
      const phonePage = await phone.newPage();
      await phonePage.goto(`${t.app.url}/integrations/vercel/configure?configurationId=${configurationId}`);
      await phonePage.screenshot({
        path: `${SCREENSHOT_DIR}integration-configure-phone.png`,
        fullPage: true,
      });
      const overflow = await phonePage.evaluate<number>(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      expect(overflow).toBeLessThanOrEqual(0);
    } finally {
      await phone.close();
    }
  });

  it("opens a delivery's event in the console's pages, scoped to the installation, and replays it", async () => {
    // An event of the server's own default tenant: the installation's pages must never show it.
    const theirs = await sendVercel(
      t.app.url,
      { ...deployment("evt_flow_default", "prj_other"), type: "deployment.succeeded" },
      VERCEL_SECRETS[0] as string,
    );
    expect(theirs.status).toBe(200);
    const theirId = (theirs.body as { eventId: string }).eventId;

    await page.goto(`${t.app.url}/integrations/vercel/configure?configurationId=${configurationId}`);
    const nav = page.getByRole("navigation", { name: "Installation" });
    expect(await nav.getByRole("link").allTextContents()).toEqual(["Configuration", "Events"]);
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);
    // The newest delivery is the rotated secret's event: open it.
    await Promise.all([
      page.waitForURL(/\/integrations\/vercel\/events\/evt_/),
      page.locator("tbody tr").first().getByRole("link").click(),
    ]);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("deployment.created");
    expect(await page.getByRole("main").textContent()).toContain("HTTP 200");
    expect(await page.getByRole("main").textContent()).toContain("evt_flow_rotated");
    await screenshot(page, "integration-event-desktop");
    const eventUrl = page.url();

    await Promise.all([
      page.waitForURL(/replayed=1/),
      page.getByRole("button", { name: "Replay to every route" }).click(),
    ]);
    expect(await page.getByRole("status").textContent()).toContain("Replayed: 1 new delivery");
    const received = await sink.waitFor(4);
    expect(received[3]?.body.toString()).toBe(received[2]?.body.toString());

    // The events list: this installation's events, links under the integration, no tenant field.
    await Promise.all([
      page.waitForURL(/\/integrations\/vercel\/events$/),
      nav.getByRole("link", { name: "Events" }).click(),
    ]);
    expect(await page.getByLabel("Tenant").count()).toBe(0);
    const listed = await page.locator("tbody tr").allTextContents();
    expect(listed.length).toBeGreaterThanOrEqual(3);
    expect(listed.join("\n")).not.toContain("deployment.succeeded");
    const hrefs = await page
      .locator("tbody a")
      .evaluateAll((links) =>
        links.map((a) => (a as unknown as { getAttribute(n: string): string }).getAttribute("href")),
      );
    for (const href of hrefs) expect(href).toMatch(/^\/integrations\/vercel\/events\/evt_[0-9A-Z]+$/);
    await page.getByLabel("Type").fill("deployment.*");
    await Promise.all([
      page.waitForURL(/type=deployment/),
      page.getByRole("button", { name: "Filter" }).click(),
    ]);
    expect(new URL(page.url()).pathname).toBe("/integrations/vercel/events");
    expect(new URL(page.url()).searchParams.has("tenant")).toBe(false);
    await screenshot(page, "integration-events-desktop");

    // Another tenant's event, by its id or by naming its tenant: refused, nothing of it shown.
    const other = await page.goto(`${t.app.url}/integrations/vercel/events/${theirId}`);
    expect(other?.status()).toBe(404);
    expect(await page.content()).not.toContain("evt_flow_default");
    const named = await page.goto(`${t.app.url}/integrations/vercel/events?tenant=default`);
    expect(named?.status()).toBe(401);
    expect(await page.content()).not.toContain(theirId);

    const phone = await browser.newContext(VIEWPORTS.phone);
    try {
      await phone.addCookies(await context.cookies());
      const phonePage = await phone.newPage();
      for (const [url, name] of [
        [eventUrl, "integration-event-phone"],
        [`${t.app.url}/integrations/vercel/events`, "integration-events-phone"],
      ] as const) {
        await phonePage.goto(url);
        await phonePage.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, fullPage: true });
        const overflow = await phonePage.evaluate<number>(
          "document.documentElement.scrollWidth - document.documentElement.clientWidth",
        );
        expect(overflow).toBeLessThanOrEqual(0);
      }
    } finally {
      await phone.close();
    }
    await page.goto(`${t.app.url}/integrations/vercel/configure?configurationId=${configurationId}`);
  });

  it("uninstalls: Vercel's configuration is deleted and everything the installation owned is gone", async () => {
    await page.getByLabel("I want to uninstall").check();
    await page.getByRole("button", { name: "Uninstall" }).click();
    await page.waitForLoadState();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Uninstalled");
    expect(t.vercel.isInstalled(configurationId)).toBe(false);
    const shown = await api(t.app, `/api/v1/installations/${configurationId}`);
    expect(shown.body.status).toBe("removed");
    const events = await api(t.app, `/api/v1/events?tenant=${configurationId}`);
    expect(events.body.data).toEqual([]);
    const destinations = await api(t.app, `/api/v1/destinations?tenant=${configurationId}`);
    expect(destinations.body.data).toEqual([]);
    // The session went with it: the configuration page sends the browser through the install flow.
    const again = await fetch(
      `${t.app.url}/integrations/vercel/configure?configurationId=${configurationId}`,
      {
        redirect: "manual",
        headers: { cookie: (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ") },
      },
    );
    expect(again.status).toBe(303);
  });
});
