import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGE_CSP } from "../../src/pages/security-headers.js";
import { startTestApp, type TestApp } from "../support/app.js";
import { launchBrowser, openPage, saveScreenshots, VIEWPORTS } from "../support/browser.js";

const CLOSED = "/integrations/vercel/closed";

describe("the closed page, in Chromium", () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), app?.stop()]);
  });

  it("tells the user they may close the window, without the admin token", async () => {
    const opened = await openPage(browser, app, CLOSED);
    try {
      expect(opened.response.status()).toBe(200);
      expect(await opened.page.title()).toBe("You may close this window · Switchyard");
      expect(await opened.page.getByRole("heading", { level: 1 }).textContent()).toBe(
        "You may close this window",
      );
      expect(await opened.page.getByRole("main").textContent()).toContain(
        "Close this window to return to Vercel.",
      );
    } finally {
      await opened.close();
    }
  });

  it("answers HTML with the pages' security headers", async () => {
    const opened = await openPage(browser, app, CLOSED);
    try {
      const headers = await opened.response.allHeaders();
      expect(headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(headers["content-security-policy"]).toBe(PAGE_CSP);
      expect(PAGE_CSP).toContain("default-src 'none'");
      expect(PAGE_CSP).toContain("frame-ancestors 'none'");
      expect(PAGE_CSP).not.toContain("unsafe-inline");
      expect(headers["x-frame-options"]).toBe("DENY");
      expect(headers["referrer-policy"]).toBe("no-referrer");
      expect(headers["x-content-type-options"]).toBe("nosniff");
    } finally {
      await opened.close();
    }
  });

  it("loads nothing but itself, and its inline stylesheet passes the CSP", async () => {
    for (const viewport of Object.values(VIEWPORTS)) {
      const opened = await openPage(browser, app, CLOSED, viewport);
      try {
        expect(opened.requests).toEqual([`${app.url}${CLOSED}`]);
        expect(opened.errors).toEqual([]);
        // The stylesheet applied: the card has the layout's rounded corners.
        // Browser code as text: the tests' types know Node, not the DOM.
        const radius = await opened.page.evaluate(
          'getComputedStyle(document.querySelector("main")).borderRadius',
        );
        expect(radius).toBe("12px");
        // Nothing wider than the window: no sideways scrolling on a phone.
        const overflow = await opened.page.evaluate(
          "document.documentElement.scrollWidth - document.documentElement.clientWidth",
        );
        expect(overflow).toBe(0);
      } finally {
        await opened.close();
      }
    }
  });

  it("leaves the API's and health's answers without the pages' headers", async () => {
    const health = await fetch(`${app.url}/healthz`);
    expect(health.headers.get("content-security-policy")).toBeNull();
    const api = await fetch(`${app.url}/api/v1/events`);
    expect(api.status).toBe(401);
    expect(api.headers.get("content-security-policy")).toBeNull();
  });

  it("saves screenshots at desktop and phone sizes", async () => {
    const files = await saveScreenshots(browser, app, CLOSED, "closed");
    expect(files).toHaveLength(2);
    for (const file of files) expect(existsSync(file)).toBe(true);
  });
});
