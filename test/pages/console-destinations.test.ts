import { randomUUID } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_TENANT } from "../../src/core/types.js";
import { sampleEvent } from "../../src/vercel/index.js";
import { ADMIN_TOKEN, api, startTestApp, type TestApp, VERCEL_SECRETS } from "../support/app.js";
import { launchBrowser, SCREENSHOT_DIR, VIEWPORTS } from "../support/browser.js";
import { sendVercel } from "../support/send.js";
import { FakeClock, Sink } from "../support/sink.js";

// The console's destinations in headless Chromium: the list with each destination's health after
// real deliveries, a new destination, an edit with a bad URL, disable and enable, rotating the
// signing secret (shown once), a delete refused while a route names it; and the refusals: no
// session, no CSRF token, the config file's destination, another tenant's slug.

const SECRET = VERCEL_SECRETS[0] as string;
/** The longest a test here may take: each drives Chromium through several pages on a shared machine. */
const SLOW = 120_000;

let app: TestApp;
let browser: Browser;
let ok: Sink;
let failing: Sink;
const clock = new FakeClock(Date.now());

beforeAll(async () => {
  [ok, failing] = await Promise.all([Sink.start(), Sink.start()]);
  failing.reply = () => ({ status: 503 });
  [app, browser] = await Promise.all([
    startTestApp(
      {
        delivery: { allowPrivateNetworks: true },
        destinations: [{ slug: "hooks", url: ok.url, retry: { schedule: ["0s"], jitter: 0 } }],
        routes: [{ slug: "all", source: "vercel", destinations: ["hooks"] }],
      },
      { clock },
    ),
    launchBrowser(),
  ]);
  // A run-time destination that answers 503, retried only in an hour: one failed attempt, pending.
  const created = await api(app, "/api/v1/destinations", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      slug: "flaky",
      url: `${failing.url}/hook?token=secret-token-value`,
      retry: { schedule: ["1h"], jitter: 0 },
    }),
  });
  expect(created.status).toBe(201);
  const route = await api(app, "/api/v1/routes", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ slug: "to-flaky", source: "vercel", destinations: ["flaky"] }),
  });
  expect(route.status).toBe(201);
  // Another tenant's destination, under the same slug as none of default's.
  const theirs = await api(app, "/api/v1/destinations?tenant=acme", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ slug: "acme-only", url: ok.url }),
  });
  expect(theirs.status).toBe(201);
}, 60_000);

afterAll(async () => {
  await Promise.all([browser?.close(), app?.stop()]);
  await Promise.all([ok?.close(), failing?.close()]);
});

/** A fresh browser context at a viewport, signed in. */
async function context(size: keyof typeof VIEWPORTS = "desktop"): Promise<BrowserContext> {
  const ctx = await browser.newContext(VIEWPORTS[size]);
  const page = await ctx.newPage();
  await page.goto(`${app.url}/sign-in?next=/destinations`);
  await page.getByLabel("Admin token").fill(ADMIN_TOKEN);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${app.url}/destinations`);
  await page.close();
  return ctx;
}

async function shoot(page: Page, name: string, size: string) {
  await page.screenshot({
    path: `${SCREENSHOT_DIR}console-destinations-${name}-${size}.png`,
    fullPage: true,
  });
}

/** The session cookie and a page's CSRF token, for requests made past the browser. */
async function sessionOf(ctx: BrowserContext, page: Page): Promise<{ cookie: string; csrf: string }> {
  const [session] = (await ctx.cookies()).filter((c) => c.name === "switchyard_console");
  const csrf = (await page.locator('input[name="csrf"]').first().getAttribute("value")) ?? "";
  return { cookie: `switchyard_console=${session?.value}`, csrf };
}

/** A destination's settings in force (secrets included), or undefined when there is none. */
const inForce = (slug: string, tenant = DEFAULT_TENANT) => app.topology.destination(tenant, slug)?.config;

/** A destination's state as the API shows it. */
async function stateOf(slug: string, tenant = DEFAULT_TENANT): Promise<unknown> {
  const answer = await api(
    app,
    `/api/v1/destinations/${slug}${tenant === DEFAULT_TENANT ? "" : `?tenant=${tenant}`}`,
  );
  return answer.body.state;
}

/** A row of the list by its destination's slug. */
const row = (page: Page, slug: string) =>
  page
    .locator("table.destinations tbody tr")
    .filter({ has: page.getByRole("link", { name: slug, exact: true }) });

describe("the destinations list", () => {
  it(
    "shows each destination's health after deliveries: success rate, latency, last error, pending",
    async () => {
      const event = sampleEvent("deployment.created") as { id: string };
      event.id = `evt_vercel_${randomUUID()}`;
      const answer = await sendVercel(app.url, event, SECRET);
      expect(answer.status).toBe(200);
      // hooks succeeds; flaky fails once and waits an hour, its delivery pending.
      await expect
        .poll(
          async () => [
            (await api(app, "/api/v1/destinations/hooks")).body.lastSuccessAt !== null,
            (await api(app, "/api/v1/destinations/flaky")).body.pending,
          ],
          { timeout: 60_000 },
        )
        .toEqual([true, 1]);

      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(`${app.url}/destinations`);
      const hooks = row(page, "hooks");
      await expect.poll(() => hooks.textContent()).toContain("from the config file");
      const hooksText = await hooks.textContent();
      expect(hooksText).toContain("100%");
      expect(hooksText).toContain("active");
      expect(hooksText).toContain("closed");
      expect(hooksText).toMatch(/\d+ ms \/ \d+ ms/);
      const flakyText = await row(page, "flaky").textContent();
      expect(flakyText).toContain("run-time");
      // Pending: the one delivery waiting for its retry.
      expect(await row(page, "flaky").locator("td").nth(4).textContent()).toBe("1");
      // The URL's secret-looking query value never reaches the page.
      expect(await page.content()).not.toContain("secret-token-value");
      // Another tenant's destination is not listed here.
      expect(await page.content()).not.toContain("acme-only");
      for (const size of ["desktop", "phone"] as const) {
        const sized = size === "desktop" ? ctx : await context(size);
        const p = await sized.newPage();
        await p.goto(`${app.url}/destinations`);
        await shoot(p, "list", size);
        await p.goto(`${app.url}/destinations/flaky`);
        await shoot(p, "destination", size);
        await p.goto(`${app.url}/destinations/hooks`);
        await shoot(p, "config-destination", size);
        if (size === "phone") await sized.close();
      }
      await ctx.close();
    },
    SLOW,
  );

  it(
    "sends a browser without a session to sign in",
    async () => {
      const answer = await fetch(`${app.url}/destinations`, { redirect: "manual" });
      expect(answer.status).toBe(303);
      expect(answer.headers.get("location")).toBe(`/sign-in?next=${encodeURIComponent("/destinations")}`);
      const post = await fetch(`${app.url}/destinations/flaky/disable`, {
        method: "POST",
        redirect: "manual",
      });
      expect(post.status).toBe(303);
      expect(post.headers.get("location")).toContain("/sign-in");
    },
    SLOW,
  );
});

describe("a destination's changes", () => {
  it(
    "creates a run-time destination and shows its signing secret once",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(`${app.url}/destinations`);
      await page.getByRole("link", { name: "New destination" }).click();
      await page.waitForURL(`${app.url}/destinations/new`);
      await shoot(page, "new", "desktop");
      await page.getByLabel("Slug").fill("orders");
      await page.getByLabel("URL").fill(`${ok.url}/orders`);
      await page.getByLabel("Rate limit").fill("50/s");
      await page.getByRole("button", { name: "Create destination" }).click();
      await page.waitForURL(`${app.url}/destinations`);
      const secret = await page.locator("#signing-secret").textContent();
      expect(secret).toMatch(/^whsec_/);
      expect(await page.locator("h1").textContent()).toContain("orders");
      expect(await page.content()).toContain("50/s");
      // The secret is in this answer only: the destination's page never shows it again.
      await page.goto(`${app.url}/destinations/orders`);
      expect(await page.content()).not.toContain(secret as string);
      expect(await page.locator("#signing-secret").count()).toBe(0);
      expect(inForce("orders")?.signing.secrets).toEqual([secret]);
      expect(inForce("orders")?.rateLimit).toEqual({ count: 50, perMs: 1000 });

      // A slug taken already: the form again, the field saying so.
      await page.goto(`${app.url}/destinations/new`);
      await page.getByLabel("Slug").fill("orders");
      await page.getByLabel("URL").fill(`${ok.url}/again`);
      await page.getByRole("button", { name: "Create destination" }).click();
      expect(await page.locator("#field-slug-error").textContent()).toContain("exists already");
      await ctx.close();
    },
    SLOW,
  );

  it(
    "shows the schema's words on the field of a bad edit, and changes nothing",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(`${app.url}/destinations/flaky`);
      await page.getByRole("link", { name: "Edit" }).click();
      await page.waitForURL(`${app.url}/destinations/flaky/edit`);
      await page.getByLabel("URL").fill("ftp://files.example.com/hook");
      await page.getByLabel("Delay before each attempt").fill("5s, soon");
      await page.getByRole("button", { name: "Save changes" }).click();
      expect(await page.locator("#field-url-error").textContent()).toContain(
        "expected an http:// or https:// URL",
      );
      expect(await page.getByLabel("URL").getAttribute("aria-invalid")).toBe("true");
      expect(await page.locator("#field-schedule-error").textContent()).toContain('"soon"');
      // What was typed is kept for the person to fix.
      expect(await page.getByLabel("URL").inputValue()).toBe("ftp://files.example.com/hook");
      for (const size of ["desktop", "phone"] as const) {
        if (size === "desktop") await shoot(page, "edit-error", size);
        else {
          const phone = await context("phone");
          const p = await phone.newPage();
          await p.goto(`${app.url}/destinations/flaky/edit`);
          await p.getByLabel("URL").fill("not a url");
          await p.getByRole("button", { name: "Save changes" }).click();
          await shoot(p, "edit-error", size);
          await phone.close();
        }
      }
      expect(inForce("flaky")?.url).toBe(`${failing.url}/hook?token=secret-token-value`);

      // A good edit is saved, and says so.
      await page.getByLabel("URL").fill(`${failing.url}/v2`);
      await page.getByLabel("Delay before each attempt").fill("1h");
      await page.getByLabel("Requests at once").fill("4");
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.waitForURL(`${app.url}/destinations/flaky?done=updated`);
      expect(await page.getByRole("status").first().textContent()).toContain("The changes were saved.");
      expect(inForce("flaky")?.url).toBe(`${failing.url}/v2`);
      expect(inForce("flaky")?.maxConcurrency).toBe(4);
      await ctx.close();
    },
    SLOW,
  );

  it(
    "disables then enables a run-time destination",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(`${app.url}/destinations/orders`);
      await page.getByRole("button", { name: "Disable" }).click();
      await page.waitForURL(`${app.url}/destinations/orders?done=disabled`);
      expect(await page.locator(".panel").first().textContent()).toContain("disabled in the console");
      expect(await stateOf("orders")).toBe("disabled");
      await page.getByRole("button", { name: "Enable" }).click();
      await page.waitForURL(`${app.url}/destinations/orders?done=enabled`);
      expect(await stateOf("orders")).toBe("active");
      await ctx.close();
    },
    SLOW,
  );

  it(
    "rotates the signing secret: the new one shown once, never again",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      const old = inForce("orders")?.signing.secrets;
      await page.goto(`${app.url}/destinations/orders`);
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/destinations/orders/rotate")),
        page.getByRole("button", { name: "Rotate signing secret" }).click(),
      ]);
      expect(answer.headers()["cache-control"]).toBe("no-store");
      const secret = (await page.locator("#signing-secret").textContent()) as string;
      expect(secret).toMatch(/^whsec_/);
      expect(old).not.toContain(secret);
      await shoot(page, "rotated", "desktop");
      expect(inForce("orders")?.signing.secrets).toEqual([secret]);
      await page.goto(`${app.url}/destinations/orders`);
      expect(await page.content()).not.toContain(secret);
      await page.goto(`${app.url}/destinations`);
      expect(await page.content()).not.toContain(secret);
      await ctx.close();
    },
    SLOW,
  );

  it(
    "refuses to delete a destination a route names (in_use), and deletes one no route names",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(`${app.url}/destinations/flaky`);
      await page.getByRole("button", { name: "Delete" }).click();
      const alert = page.getByRole("alert");
      expect(await alert.textContent()).toContain('is named by route "to-flaky"');
      expect(await alert.textContent()).toContain("in_use");
      await shoot(page, "in-use", "desktop");
      expect(inForce("flaky")).toBeDefined();

      await page.goto(`${app.url}/destinations/orders`);
      await page.getByRole("button", { name: "Delete" }).click();
      await page.waitForURL(`${app.url}/destinations?done=deleted`);
      expect(await page.getByRole("status").first().textContent()).toContain("deleted");
      expect(inForce("orders")).toBeUndefined();
      await ctx.close();
    },
    SLOW,
  );
});

describe("refusals", () => {
  it(
    "shows no change control for the config file's destination, and refuses every POST with managed_by_config",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(`${app.url}/destinations/hooks`);
      expect(await page.locator("h1").textContent()).toContain("from the config file");
      for (const name of ["Edit", "Disable", "Enable", "Rotate signing secret", "Delete"])
        expect(await page.getByRole("button", { name, exact: true }).count()).toBe(0);
      expect(await page.getByRole("link", { name: "Edit", exact: true }).count()).toBe(0);
      const { cookie, csrf } = await sessionOf(ctx, page);
      for (const path of ["", "/disable", "/enable", "/rotate", "/delete"]) {
        const answer = await fetch(`${app.url}/destinations/hooks${path}`, {
          method: "POST",
          headers: { cookie },
          body: new URLSearchParams({ csrf, url: "https://elsewhere.example/" }),
          redirect: "manual",
        });
        expect(answer.status, path).toBe(400);
        expect(await answer.text(), path).toContain("managed_by_config");
      }
      const edit = await page.goto(`${app.url}/destinations/hooks/edit`);
      expect(edit?.status()).toBe(400);
      expect(await stateOf("hooks")).toBe("active");
      expect(inForce("hooks")?.url).toBe(ok.url);
      await ctx.close();
    },
    SLOW,
  );

  it(
    "refuses a change without the session's CSRF token, and changes nothing",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      await page.goto(`${app.url}/destinations/flaky`);
      const { cookie } = await sessionOf(ctx, page);
      for (const csrf of [undefined, "forged"]) {
        for (const path of ["/disable", "/delete", "/rotate", ""]) {
          const answer = await fetch(`${app.url}/destinations/flaky${path}`, {
            method: "POST",
            headers: { cookie },
            body: new URLSearchParams(csrf ? { csrf, url: "https://elsewhere.example/" } : {}),
            redirect: "manual",
          });
          expect(answer.status).toBe(403);
          expect(await answer.text()).toContain("invalid_csrf");
        }
      }
      const create = await fetch(`${app.url}/destinations`, {
        method: "POST",
        headers: { cookie },
        body: new URLSearchParams({ slug: "sneaky", url: ok.url }),
        redirect: "manual",
      });
      expect(create.status).toBe(403);
      expect(await stateOf("flaky")).toBe("active");
      expect(inForce("flaky")?.url).toBe(`${failing.url}/v2`);
      expect(inForce("sneaky")).toBeUndefined();
      await ctx.close();
    },
    SLOW,
  );

  it(
    "neither shows nor changes another tenant's destination under this tenant",
    async () => {
      const ctx = await context();
      const page = await ctx.newPage();
      const shown = await page.goto(`${app.url}/destinations/acme-only`);
      expect(shown?.status()).toBe(404);
      expect(await page.content()).not.toContain(ok.url);
      // A real form token of this session (the not-found page has no form).
      await page.goto(`${app.url}/destinations`);
      const { cookie, csrf } = await sessionOf(ctx, page);
      expect(csrf).not.toBe("");
      for (const path of ["", "/disable", "/rotate", "/delete"]) {
        const answer = await fetch(`${app.url}/destinations/acme-only${path}`, {
          method: "POST",
          headers: { cookie },
          body: new URLSearchParams({ csrf, url: "https://elsewhere.example/" }),
          redirect: "manual",
        });
        expect(answer.status, path).toBe(404);
      }
      expect(await stateOf("acme-only", "acme")).toBe("active");
      expect(inForce("acme-only", "acme")?.url).toBe(ok.url);
      await ctx.close();
    },
    SLOW,
  );
});
