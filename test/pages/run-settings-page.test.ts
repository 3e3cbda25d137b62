import { once } from "node:events";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRunner } from "../../src/actions/runner.js";
import { launchBrowser, SCREENSHOT_DIR, VIEWPORTS } from "../support/browser.js";
import { type IntegrationApp, startIntegrationApp } from "../support/integration-app.js";
import { post, vercelSignature } from "../support/send.js";

// The configuration page's "Deployment actions and checks" form in Chromium: every declared
// action and check with what it does, on for all projects at first; turned off, or kept to some
// of the installation's projects, saved with the form's CSRF token and kept; a refused choice
// comes back saying why, with its code, changing nothing; another installation's settings cannot
// be changed from this browser's session; an action turned off says so on its run's page.
// Desktop and phone screenshots.

let t: IntegrationApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let configurationId: string;
let configureUrl: string;
let projects: { id: string; name: string }[];

beforeAll(async () => {
  [t, browser] = await Promise.all([
    startIntegrationApp({
      overrides: {
        actions: [
          {
            slug: "branch",
            kind: "postgres-branch",
            postgres: { url: "postgres://admin@127.0.0.1:1/postgres", template: "app" },
          },
          { slug: "notify", kind: "http", url: "http://127.0.0.1:1/hook" },
        ],
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
  projects = t.vercel.setProjects("team_fake1", ["web", "api", "docs"]);
  context = await browser.newContext(VIEWPORTS.desktop);
  page = await context.newPage();
  await page.goto(`${t.app.url}/integrations/vercel/install`);
  configurationId = new URL(page.url()).searchParams.get("configurationId") ?? "";
  configureUrl = `${t.app.url}/integrations/vercel/configure?configurationId=${configurationId}`;
});

afterAll(async () => {
  await context?.close();
  await Promise.all([browser?.close(), t?.close()]);
});

const stored = async () => (await t.app.store.installations.get(configurationId))?.runSettings;
const item = (name: string) => page.getByRole("group", { name: new RegExp(`^${name} `) });
const id = (name: string) => projects.find((p) => p.name === name)?.id ?? "";

describe("the configuration page's deployment actions and checks", () => {
  it("lists each declared action and check with what it does, on for all projects", async () => {
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    const response = await page.goto(configureUrl);
    expect(response?.status()).toBe(200);
    expect(await page.getByRole("heading", { name: "Deployment actions and checks" }).count()).toBe(1);
    const branch = (await item("branch").textContent()) ?? "";
    expect(branch).toContain("Deployment action");
    expect(branch).toContain("Gives each git branch its own PostgreSQL database");
    expect(branch).not.toContain("127.0.0.1");
    const smoke = (await item("Smoke test").textContent()) ?? "";
    expect(smoke).toContain("Deployment check");
    expect(smoke).toContain("Requests /api/health of each deployment, expecting 200");
    for (const name of ["branch", "notify", "Smoke test"])
      expect(await item(name).getByLabel("All projects").isChecked()).toBe(true);
    // The installation's own projects, as Vercel lists them, are offered.
    for (const p of projects)
      expect(await item("notify").getByLabel(p.name, { exact: true }).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it("saves an action turned off and a check kept to one project, and shows them kept", async () => {
    await item("notify").getByLabel("Off").check();
    await item("Smoke test").getByLabel("Only these projects").check();
    await item("Smoke test").getByText("Choose projects").click();
    await item("Smoke test").getByLabel("web", { exact: true }).check();
    await item("Smoke test").getByLabel("docs", { exact: true }).check();
    await Promise.all([
      page.waitForURL(/runs=1/),
      page.getByRole("button", { name: "Save actions and checks" }).click(),
    ]);
    expect(await page.getByRole("status").first().textContent()).toContain(
      "Deployment actions and checks saved",
    );
    expect(await stored()).toEqual([
      { kind: "action", name: "notify", runs: "off" },
      { kind: "check", name: "Smoke test", runs: [id("web"), id("docs")].sort() },
    ]);

    await page.goto(configureUrl);
    expect(await item("branch").getByLabel("All projects").isChecked()).toBe(true);
    expect(await item("notify").getByLabel("Off").isChecked()).toBe(true);
    expect(await item("Smoke test").getByLabel("Only these projects").isChecked()).toBe(true);
    expect(await item("Smoke test").getByText("Choose projects (2 chosen)").count()).toBe(1);
    expect(await item("Smoke test").getByLabel("web", { exact: true }).isChecked()).toBe(true);
    expect(await item("Smoke test").getByLabel("api", { exact: true }).isChecked()).toBe(false);
    await page.screenshot({ path: `${SCREENSHOT_DIR}integration-runs-desktop.png`, fullPage: true });
    const phone = await browser.newContext(VIEWPORTS.phone);
    try {
      await phone.addCookies(await context.cookies());
      const phonePage = await phone.newPage();
      await phonePage.goto(configureUrl);
      await phonePage.screenshot({ path: `${SCREENSHOT_DIR}integration-runs-phone.png`, fullPage: true });
      const overflow = await phonePage.evaluate<number>(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      expect(overflow).toBeLessThanOrEqual(0);
    } finally {
      await phone.close();
    }
  });

  it("an action turned off says so on its run's page, where Vercel's statusUrl leads", async () => {
    const runner = t.app.actions as ActionRunner;
    const deployment = t.vercel.deployments.add("team_fake1", { projectId: id("web") }).id;
    const body = JSON.stringify({
      id: `evt_runs_page_${Date.now()}`,
      type: "deployment.integration.action.start",
      createdAt: Date.now(),
      payload: {
        installationId: configurationId,
        configuration: { id: configurationId },
        team: { id: "team_fake1" },
        user: { id: t.vercel.userId },
        action: "notify",
        resourceId: "store_1",
        deployment: { id: deployment },
      },
    });
    const answer = await post(`${t.app.url}/integrations/vercel/webhook`, body, {
      "x-vercel-signature": vercelSignature(body, t.vercel.clientSecret),
    });
    expect(answer.status).toBe(200);
    while (t.vercel.deployments.updatesOf(deployment, "notify").length < 1) await once(runner, "report");
    const [report] = t.vercel.deployments.updatesOf(deployment, "notify");
    expect(report).toMatchObject({
      status: "succeeded",
      statusText: "Turned off for this project in Switchyard",
    });
    await page.goto(String(report?.statusUrl));
    const main = (await page.getByRole("main").textContent()) ?? "";
    expect(main).toContain("succeeded");
    expect(main).toContain("Turned off for this project in Switchyard");
    await page.screenshot({
      path: `${SCREENSHOT_DIR}integration-runs-turned-off-desktop.png`,
      fullPage: true,
    });
  });

  it("brings the form back, saying why and with its code, for only some projects with none chosen", async () => {
    await page.goto(configureUrl);
    await item("branch").getByLabel("Only these projects").check();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().includes("/configure/runs")),
      page.getByRole("button", { name: "Save actions and checks" }).click(),
    ]);
    await page.waitForLoadState();
    expect(response.status()).toBe(400);
    const alert = (await page.getByRole("alert").textContent()) ?? "";
    expect(alert).toContain('choose at least one project for action "branch", or turn it off');
    expect(alert).toContain("These choices were not saved");
    expect(alert).toContain("Error code: invalid_request");
    // As it was sent, and nothing changed.
    expect(await item("branch").getByLabel("Only these projects").isChecked()).toBe(true);
    expect(await item("notify").getByLabel("Off").isChecked()).toBe(true);
    expect(await stored()).toHaveLength(2);
    await page.screenshot({ path: `${SCREENSHOT_DIR}integration-runs-refused-desktop.png`, fullPage: true });
    const phone = await browser.newContext(VIEWPORTS.phone);
    try {
      const phonePage = await phone.newPage();
      await phonePage.setContent(await page.content());
      await phonePage.screenshot({
        path: `${SCREENSHOT_DIR}integration-runs-refused-phone.png`,
        fullPage: true,
      });
    } finally {
      await phone.close();
    }
  });

  it("refuses a project that is not the installation's, and an item the server does not declare", async () => {
    await page.goto(configureUrl);
    const csrf = (await page.locator('input[name="csrf"]').first().getAttribute("value")) ?? "";
    const action = `${t.app.url}/integrations/vercel/configure/runs?configurationId=${configurationId}`;
    const foreign = await page.request.post(action, {
      form: { csrf, "item-0": "check:Smoke test", "runs-0": "only", "projects-0": "prj_theirs" },
      maxRedirects: 0,
    });
    expect(foreign.status()).toBe(400);
    expect(await foreign.text()).toContain("unknown_project");
    const unknown = await page.request.post(action, {
      form: { csrf, "item-0": "action:teleport", "runs-0": "off" },
      maxRedirects: 0,
    });
    expect(unknown.status()).toBe(400);
    expect(await unknown.text()).toContain("unknown_action");
    const malformed = await page.request.post(action, {
      form: { csrf, "item-0": "action:branch", "runs-0": "sometimes" },
      maxRedirects: 0,
    });
    expect(malformed.status()).toBe(400);
    expect(await malformed.text()).toContain("invalid_request");
    const noCsrf = await page.request.post(action, {
      form: { "item-0": "action:branch", "runs-0": "off" },
      maxRedirects: 0,
    });
    expect(noCsrf.status()).toBe(403);
    expect(await stored()).toEqual([
      { kind: "action", name: "notify", runs: "off" },
      { kind: "check", name: "Smoke test", runs: [id("web"), id("docs")].sort() },
    ]);
  });

  it("cannot change another installation's settings from this browser's session", async () => {
    const grant = t.vercel.makeCode("team_other");
    const callback = await fetch(
      `${t.app.url}/integrations/vercel/callback?code=${grant.code}&configurationId=${grant.configurationId}&teamId=team_other`,
    );
    expect(callback.status).toBe(200);
    await page.goto(configureUrl);
    const csrf = (await page.locator('input[name="csrf"]').first().getAttribute("value")) ?? "";
    const crossed = await page.request.post(
      `${t.app.url}/integrations/vercel/configure/runs?configurationId=${grant.configurationId}`,
      { form: { csrf, "item-0": "action:branch", "runs-0": "off" }, maxRedirects: 0 },
    );
    expect(crossed.status()).toBe(401);
    expect(await crossed.text()).toContain("session_required");
    expect((await t.app.store.installations.get(grant.configurationId))?.runSettings).toEqual([]);
    expect(await stored()).toHaveLength(2);
  });
});
