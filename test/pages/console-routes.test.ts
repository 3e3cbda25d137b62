import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, api, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { launchBrowser, SCREENSHOT_DIR, VIEWPORTS } from "../support/browser.js";
import { sendVercel } from "../support/send.js";
import { FakeClock, Sink } from "../support/sink.js";

// The console's routes in headless Chromium: build a route whose filter has an OR group through the
// form's own buttons (no script), save it and read it in the list; test it against a catalog sample
// and a stored event, condition by condition; a transform that does not compile; the config file's
// routes read-only; and the refusals: no session, no CSRF token, another tenant's route.

const SECRET = VERCEL_SECRETS[0] as string;
const READABLE =
  "type equals deployment.created AND (payload.target equals production OR payload.target equals preview)";

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
        destinations: [
          { slug: "hooks", url: sink.url },
          { slug: "audit", url: sink.url },
        ],
        routes: [{ slug: "all", source: "vercel", destinations: ["hooks"] }],
      },
      { clock },
    ),
    launchBrowser(),
  ]);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
}, 60_000);

afterAll(async () => {
  await Promise.all([browser?.close(), app?.stop()]);
  await sink?.close();
});

/** A fresh browser context at a viewport, signed in. */
async function context(size: keyof typeof VIEWPORTS = "desktop"): Promise<BrowserContext> {
  const ctx = await browser.newContext(VIEWPORTS[size]);
  const page = await ctx.newPage();
  await page.goto(`${app.url}/sign-in`);
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${app.url}/overview`);
  await page.close();
  return ctx;
}

async function shoot(page: Page, name: string, size: string) {
  await page.screenshot({ path: `${SCREENSHOT_DIR}console-routes-${name}-${size}.png`, fullPage: true });
}

/** The session cookie and CSRF token of a signed-in context, for requests made by hand. */
async function credentials(ctx: BrowserContext): Promise<{ cookie: string; csrf: string }> {
  const page = await ctx.newPage();
  await page.goto(`${app.url}/routes/new`);
  const csrf = (await page.locator('input[name="csrf"]').first().getAttribute("value")) ?? "";
  await page.close();
  const [session] = (await ctx.cookies()).filter((c) => c.name === "switchyard_console");
  return { cookie: `switchyard_console=${session?.value}`, csrf };
}

/** Sends a signed deployment.created through ingest and waits until the worker has delivered it. */
async function ingest(): Promise<string> {
  const event = sampleEvent("deployment.created") as { id: string };
  event.id = `evt_vercel_${randomUUID()}`;
  const delivered = new Promise<string>((resolve) => {
    app.worker.once("outcome", (_outcome, delivery) => resolve(delivery.eventId));
  });
  const answer = await sendVercel(app.url, event, SECRET);
  expect(answer.status).toBe(200);
  const eventId = (answer.body as { eventId: string }).eventId;
  expect(await delivered).toBe(eventId);
  return eventId;
}

/** Fills the condition at `path` (`filter.0`, `filter.1.1`). */
async function condition(page: Page, path: string, field: string, operator: string, value: string) {
  const id = `#f-${path.replaceAll(".", "-")}`;
  await page.locator(`${id}-field`).fill(field);
  await page.locator(`${id}-operator`).selectOption(operator);
  await page.locator(`${id}-value`).fill(value);
}

describe("building a route", { timeout: 120_000 }, () => {
  it("builds a filter with an OR group through the form's buttons, saves it, and lists it readably", async () => {
    for (const size of ["desktop", "phone"] as const) {
      const slug = `prod-${size}`;
      const ctx = await context(size);
      const page = await ctx.newPage();
      await page.goto(`${app.url}/routes`);
      await page.getByRole("link", { name: "New route" }).click();
      await page.waitForURL(`${app.url}/routes/new`);
      await page.getByLabel("Slug").fill(slug);
      await page.getByRole("checkbox", { name: "vercel", exact: true }).check();
      await page.getByRole("checkbox", { name: "hooks" }).check();
      // Every button posts the form and comes back with the change: what was typed stays.
      await page.getByRole("button", { name: "Add condition" }).click();
      await condition(page, "filter.0", "type", "equals", "deployment.created");
      await page.getByRole("button", { name: "Add group" }).first().click();
      expect(await page.getByLabel("Slug").inputValue()).toBe(slug);
      expect(await page.locator("#f-filter-0-value").inputValue()).toBe("deployment.created");
      expect(await page.locator("#f-filter-1-logic").inputValue()).toBe("or");
      await condition(page, "filter.1.0", "payload.target", "equals", "production");
      await condition(page, "filter.1.1", "payload.target", "equals", "preview");
      // A third condition in the group, then removed again.
      await page.getByRole("button", { name: "Add condition" }).first().click();
      await page.getByRole("button", { name: "Add condition" }).last().click();
      expect(await page.locator("#f-filter-2-field").count()).toBe(1);
      expect(await page.locator("#f-filter-1-2-field").count()).toBe(1);
      await page.getByRole("button", { name: "Remove condition 3", exact: true }).click();
      await page.getByRole("button", { name: "Remove condition 2.3", exact: true }).click();
      expect(await page.locator("#f-filter-2-field").count()).toBe(0);
      expect(await page.locator("#f-filter-1-2-field").count()).toBe(0);
      expect(await page.locator("#f-filter-1-1-value").inputValue()).toBe("preview");
      // All the filter language's operators are offered.
      expect(await page.locator("#f-filter-0-operator option").count()).toBe(15);
      await shoot(page, "form", size);

      await page.getByRole("button", { name: "Create route" }).click();
      await page.waitForURL(`${app.url}/routes?saved=${slug}`);
      expect(await page.getByRole("status").textContent()).toContain(`Route ${slug} saved.`);
      const row = page.getByRole("row").filter({ hasText: slug });
      expect(await row.textContent()).toContain(READABLE);
      expect(await row.textContent()).toContain("hooks");
      const configRow = page.getByRole("row").filter({ hasText: "from the config file" });
      expect(await configRow.textContent()).toContain("all");
      await shoot(page, "list", size);

      // Saved as the API sees it.
      const stored = await api(app, `/api/v1/routes/${slug}`);
      expect(stored.status).toBe(200);
      expect(JSON.stringify(stored.body)).toContain('"logic":"or"');
      await ctx.close();
    }
  });

  it("shows a field's error beside it, and keeps what was typed", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/routes/new`);
    await page.getByLabel("Slug").fill("bad-filter");
    await page.getByRole("checkbox", { name: "vercel", exact: true }).check();
    await page.getByRole("button", { name: "Add condition" }).click();
    await condition(page, "filter.0", "payload.target", "gt", "not a date");
    // Enter in a field saves (it does not press the first Remove button of the form).
    await page.locator("#f-filter-0-value").press("Enter");
    await page.waitForLoadState();
    expect(await page.getByRole("alert").first().textContent()).toContain("The route was not saved");
    expect(await page.locator("#f-filter-0-error").textContent()).toContain("filter.conditions[0].value");
    expect(await page.locator("#field-destinations-error").textContent()).toContain("destination");
    expect(await page.locator("#f-filter-0-value").inputValue()).toBe("not a date");
    expect((await api(app, "/api/v1/routes/bad-filter")).status).toBe(404);
    await ctx.close();
  });
});

describe("testing a route", { timeout: 120_000 }, () => {
  it("tests against a catalog sample and a stored event, condition by condition", async () => {
    const eventId = await ingest();
    for (const size of ["desktop", "phone"] as const) {
      const ctx = await context(size);
      const page = await ctx.newPage();
      await page.goto(`${app.url}/routes/prod-desktop`);
      await page.getByLabel("A sample of type").selectOption("deployment.created");
      await page.getByRole("button", { name: "Test this route" }).click();
      const result = page.getByRole("region", { name: "Test result" });
      expect(await result.getByRole("status").textContent()).toContain("a sample deployment.created event");
      expect(await result.getByRole("status").textContent()).toContain("matches");
      const rows = result.locator("tbody tr");
      // Source, then the three conditions: production holds, preview does not.
      expect(await rows.count()).toBe(4);
      expect(await rows.nth(0).textContent()).toMatch(/source is vercel.*vercel.*true$/);
      expect(await rows.nth(1).textContent()).toMatch(/type equals.*deployment\.created.*true$/);
      expect(await rows.nth(2).textContent()).toMatch(/"production".*true$/);
      expect(await rows.nth(3).textContent()).toMatch(/"preview".*"production".*false$/);
      await shoot(page, "test-sample", size);

      await page.getByLabel("A sample of type").selectOption("");
      await page.getByLabel("Or a stored event's id").fill(eventId);
      await page.getByRole("button", { name: "Test this route" }).click();
      const status = await page
        .getByRole("region", { name: "Test result" })
        .getByRole("status")
        .textContent();
      expect(status).toContain(`event ${eventId}`);
      expect(status).toContain("matches");
      await ctx.close();
    }
  });

  it("shows a transform's output, and the compile error of one that does not compile", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/routes/prod-desktop`);
    await page.getByLabel("Reshape the event with").selectOption("code");
    await page
      .getByLabel("JavaScript")
      .fill("function transform(event) { return { target: event.payload.target }; }");
    await page.getByLabel("A sample of type").selectOption("deployment.created");
    await page.getByRole("button", { name: "Test this route" }).click();
    const result = page.getByRole("region", { name: "Test result" });
    expect(await result.locator("pre").textContent()).toContain('"target": "production"');

    await page.getByLabel("JavaScript").fill("function transform(event) { return event.; }");
    await page.getByRole("button", { name: "Test this route" }).click();
    expect(await page.getByRole("alert").textContent()).toContain("transform.code");
    await page.getByRole("button", { name: "Save route" }).click();
    expect(await page.locator("#field-transform-error").textContent()).toMatch(/transform\.code: .*Syntax/i);
    await shoot(page, "bad-transform", "desktop");
    // Not saved: the route has no transform.
    const stored = await api(app, "/api/v1/routes/prod-desktop");
    expect(JSON.stringify(stored.body)).not.toContain("return event.;");

    await page.getByLabel("JavaScript").fill("function transform(event) { return { t: event.type }; }");
    await page.getByRole("button", { name: "Save route" }).click();
    await page.waitForURL(`${app.url}/routes?saved=prod-desktop`);
    expect(await page.getByRole("row").filter({ hasText: "prod-desktop" }).textContent()).toContain(
      "yes (code)",
    );
    await ctx.close();
  });

  it("tests a config file's route by its slug, with no change controls", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/routes/all`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("from the config file");
    expect(await page.getByRole("button", { name: /Save|Delete|Add/ }).count()).toBe(0);
    await page.getByLabel("A sample of type").selectOption("project.created");
    await page.getByRole("button", { name: "Test this route" }).click();
    expect(
      await page.getByRole("region", { name: "Test result" }).getByRole("status").textContent(),
    ).toContain("matches");
    await shoot(page, "config-route", "desktop");
    await ctx.close();
  });
});

describe("deleting and refusals", { timeout: 120_000 }, () => {
  it("deletes a run-time route", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/routes/prod-phone`);
    await page.getByRole("button", { name: "Delete route prod-phone" }).click();
    await page.waitForURL(`${app.url}/routes?deleted=prod-phone`);
    expect(await page.getByRole("row").filter({ hasText: "prod-phone" }).count()).toBe(0);
    expect((await api(app, "/api/v1/routes/prod-phone")).status).toBe(404);
    await ctx.close();
  });

  it("refuses to change or delete a config file's route: managed_by_config", async () => {
    const ctx = await context();
    const { cookie, csrf } = await credentials(ctx);
    for (const [path, form] of [
      ["/routes/all", { op: "save", source: "vercel", destinations: "audit" }],
      ["/routes/all", { op: "add-condition:filter" }],
      ["/routes/all/delete", {}],
    ] as const) {
      const answer = await fetch(`${app.url}${path}`, {
        method: "POST",
        headers: { cookie },
        body: new URLSearchParams({ csrf, ...form }),
        redirect: "manual",
      });
      expect(answer.status).toBe(400);
      expect(await answer.text()).toContain("managed_by_config");
    }
    expect(JSON.stringify((await api(app, "/api/v1/routes/all")).body)).toContain('"hooks"');
    await ctx.close();
  });

  it("refuses a form without the session's CSRF token, and a browser without a session", async () => {
    const ctx = await context();
    const { cookie } = await credentials(ctx);
    const form = { op: "save", slug: "forged", source: "vercel", destinations: "hooks" };
    for (const csrf of [undefined, "forged"]) {
      for (const path of ["/routes/new", "/routes/prod-desktop", "/routes/prod-desktop/delete"]) {
        const answer = await fetch(`${app.url}${path}`, {
          method: "POST",
          headers: { cookie },
          body: new URLSearchParams(csrf ? { ...form, csrf } : form),
          redirect: "manual",
        });
        expect(answer.status).toBe(403);
        expect(await answer.text()).toContain("invalid_csrf");
      }
    }
    const anonymous = await fetch(`${app.url}/routes/prod-desktop/delete`, {
      method: "POST",
      redirect: "manual",
    });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toContain("/sign-in");
    const list = await fetch(`${app.url}/routes`, { redirect: "manual" });
    expect(list.status).toBe(303);
    expect((await api(app, "/api/v1/routes/forged")).status).toBe(404);
    expect((await api(app, "/api/v1/routes/prod-desktop")).status).toBe(200);
    await ctx.close();
  });

  it("neither shows nor changes another tenant's route", async () => {
    const created = await api(app, "/api/v1/destinations?tenant=acme", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ slug: "acme-hooks", url: sink.url }),
    });
    expect(created.status).toBe(201);
    const route = await api(app, "/api/v1/routes?tenant=acme", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ slug: "acme-only", source: "switchyard", destinations: ["acme-hooks"] }),
    });
    expect(route.status).toBe(201);

    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${app.url}/routes`);
    expect(await page.getByText("acme-only").count()).toBe(0);
    const opened = await page.goto(`${app.url}/routes/acme-only`);
    expect(opened?.status()).toBe(404);
    const { cookie, csrf } = await credentials(ctx);
    for (const path of ["/routes/acme-only", "/routes/acme-only/delete", "/routes/acme-only/test"]) {
      const answer = await fetch(`${app.url}${path}`, {
        method: "POST",
        headers: { cookie },
        body: new URLSearchParams({
          csrf,
          op: "save",
          source: "vercel",
          destinations: "hooks",
          sampleType: "deployment.created",
        }),
        redirect: "manual",
      });
      expect(answer.status).toBe(404);
    }
    // Its own tenant's console shows it.
    await page.goto(`${app.url}/routes?tenant=acme`);
    expect(await page.getByRole("row").filter({ hasText: "acme-only" }).count()).toBe(1);
    const still = await api(app, "/api/v1/routes/acme-only?tenant=acme");
    expect(JSON.stringify(still.body)).toContain("acme-hooks");
    await ctx.close();
  });
});
