import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRunner } from "../../src/actions/runner.js";
import { launchBrowser, SCREENSHOT_DIR, VIEWPORTS } from "../support/browser.js";
import { type IntegrationApp, startIntegrationApp } from "../support/integration-app.js";
import { post, vercelSignature } from "../support/send.js";

// A deployment action's page, the statusUrl Vercel links to, in Chromium: shown to the
// installation's own browser, listed on its configuration page, and nothing for another browser.
// A deployment check's page (its detailsUrl) likewise, and a checks-v2 run's (its externalUrl),
// named after Vercel's check.

let t: IntegrationApp;
let hook: Server;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let configurationId: string;

beforeAll(async () => {
  hook = createServer((req, res) => {
    req.resume();
    req.on("end", () =>
      res
        .writeHead(200, { "content-type": "application/json" })
        .end('{"status":"succeeded","statusText":"Seeded"}'),
    );
  });
  hook.listen(0, "127.0.0.1");
  await once(hook, "listening");
  const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/seed`;
  [t, browser] = await Promise.all([
    startIntegrationApp({
      overrides: {
        actions: [{ slug: "seed", kind: "http", url: hookUrl }],
        checks: [{ name: "Smoke test", kind: "http", url: "http://{deployment.url}/health" }],
      },
    }),
    launchBrowser(),
  ]);
  context = await browser.newContext(VIEWPORTS.desktop);
  page = await context.newPage();
  await page.goto(`${t.app.url}/integrations/vercel/install`);
  configurationId = new URL(page.url()).searchParams.get("configurationId") ?? "";
});

afterAll(async () => {
  await context?.close();
  await Promise.all([browser?.close(), t?.close()]);
  hook?.close();
});

describe("a deployment action's page", () => {
  it("shows the run's status, steps and reports to the installation's browser", async () => {
    const runner = t.app.actions as ActionRunner;
    const deployment = t.vercel.deployments.add("team_fake1", { projectId: "prj_a" }).id;
    const body = JSON.stringify({
      id: `evt_page_${Date.now()}`,
      type: "deployment.integration.action.start",
      createdAt: Date.now(),
      payload: {
        installationId: configurationId,
        configuration: { id: configurationId },
        team: { id: "team_fake1" },
        user: { id: t.vercel.userId },
        action: "seed",
        resourceId: "store_1",
        deployment: { id: deployment },
      },
    });
    const answer = await post(`${t.app.url}/integrations/vercel/webhook`, body, {
      "x-vercel-signature": vercelSignature(body, t.vercel.clientSecret),
    });
    expect(answer.status).toBe(200);
    while (t.vercel.deployments.updatesOf(deployment, "seed").length < 2) await once(runner, "report");
    const statusUrl = String(t.vercel.deployments.updatesOf(deployment, "seed")[1]?.statusUrl);
    expect(statusUrl.startsWith(`${t.app.url}/integrations/vercel/actions/act_`)).toBe(true);

    const response = await page.goto(statusUrl);
    expect(response?.status()).toBe(200);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Action seed");
    const main = (await page.getByRole("main").textContent()) ?? "";
    expect(main).toContain("succeeded");
    expect(main).toContain("Seeded");
    expect(main).toContain(deployment);
    await page.screenshot({ path: `${SCREENSHOT_DIR}integration-action-desktop.png`, fullPage: true });
    const phone = await browser.newContext(VIEWPORTS.phone);
    try {
      await phone.addCookies(await context.cookies());
      const phonePage = await phone.newPage();
      await phonePage.goto(statusUrl);
      await phonePage.screenshot({ path: `${SCREENSHOT_DIR}integration-action-phone.png`, fullPage: true });
      const overflow = await phonePage.evaluate<number>(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth",
      );
      expect(overflow).toBeLessThanOrEqual(0);
    } finally {
      await phone.close();
    }

    // The configuration page lists it, linked.
    await page.goto(`${t.app.url}/integrations/vercel/configure?configurationId=${configurationId}`);
    await page.getByRole("link", { name: "seed" }).click();
    expect(page.url()).toBe(statusUrl);

    // Another browser is sent through the install flow, and sees nothing of it.
    const stranger = await fetch(statusUrl, { redirect: "manual" });
    expect(stranger.status).toBe(303);
    expect(await stranger.text()).not.toContain("Seeded");
  });

  it("shows a deployment check's run, its detailsUrl, to the installation's browser only", async () => {
    const runner = t.app.actions as ActionRunner;
    const deployment = t.vercel.deployments.add("team_fake1", { projectId: "prj_a" }).id;
    const body = JSON.stringify({
      id: `evt_check_page_${Date.now()}`,
      type: "deployment.ready",
      createdAt: Date.now(),
      payload: {
        team: { id: "team_fake1" },
        user: { id: t.vercel.userId },
        deployment: { id: deployment, url: new URL(hookUrlOf(hook)).host, name: "app" },
        project: { id: "prj_a" },
        target: "production",
      },
    });
    const answer = await post(`${t.app.url}/integrations/vercel/webhook`, body, {
      "x-vercel-signature": vercelSignature(body, t.vercel.clientSecret),
    });
    expect(answer.status).toBe(200);
    const concluded = () =>
      [...t.vercel.deployments.checks.values()].find((c) => c.deploymentId === deployment && c.conclusion);
    while (!concluded()) await once(runner, "report");
    const detailsUrl = String(concluded()?.detailsUrl);
    expect(detailsUrl.startsWith(`${t.app.url}/integrations/vercel/checks/act_`)).toBe(true);

    const response = await page.goto(detailsUrl);
    expect(response?.status()).toBe(200);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Check Smoke test");
    const main = (await page.getByRole("main").textContent()) ?? "";
    expect(main).toContain("succeeded");
    expect(main).toContain(deployment);
    expect(main).toContain(String(concluded()?.id));
    // An action's address does not show a check's run.
    expect((await page.goto(detailsUrl.replace("/checks/", "/actions/")))?.status()).toBe(404);

    const stranger = await fetch(detailsUrl, { redirect: "manual" });
    expect(stranger.status).toBe(303);
  });
});

describe("a checks-v2 run's page", () => {
  it("goes by the name of Vercel's check and shows the check run", async () => {
    const runner = t.app.actions as ActionRunner;
    const deployment = t.vercel.deployments.add("team_fake1", { projectId: "prj_a" });
    deployment.url = new URL(hookUrlOf(hook)).host;
    const run = t.vercel.deployments.addCheckRun(deployment.id, { name: "Smoke test", configurationId });
    const body = JSON.stringify({
      id: `evt_check_run_page_${Date.now()}`,
      type: "deployment.checkrun.start",
      createdAt: Date.now(),
      payload: {
        team: { id: "team_fake1" },
        user: { id: t.vercel.userId },
        deployment: { id: deployment.id },
        checkRun: {
          id: run.id,
          checkId: run.checkId,
          source: { kind: "integration", integrationConfigurationId: configurationId },
          deploymentId: deployment.id,
        },
      },
    });
    const answer = await post(`${t.app.url}/integrations/vercel/webhook`, body, {
      "x-vercel-signature": vercelSignature(body, t.vercel.clientSecret),
    });
    expect(answer.status).toBe(200);
    while (t.vercel.deployments.checkRuns.updatesOf(run.id).length < 2) await once(runner, "report");
    const externalUrl = String(t.vercel.deployments.checkRuns.runs.get(run.id)?.externalUrl);
    expect(externalUrl.startsWith(`${t.app.url}/integrations/vercel/checks/act_`)).toBe(true);

    expect((await page.goto(externalUrl))?.status()).toBe(200);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Check Smoke test");
    const main = (await page.getByRole("main").textContent()) ?? "";
    expect(main).toContain("succeeded");
    expect(main).toContain(run.id);
    expect(main).toContain(`Vercel's check "Smoke test"`);
    expect((await fetch(externalUrl, { redirect: "manual" })).status).toBe(303);
  });
});

const hookUrlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
