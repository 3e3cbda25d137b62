import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../support/app.js";
import { CookieClient, fieldValue } from "../support/cookie-client.js";
import { type IntegrationApp, startIntegrationApp } from "../support/integration-app.js";
import { post, vercelSignature } from "../support/send.js";
import { FakeClock, Sink } from "../support/sink.js";

// Every way into the integration's pages that must be refused, each answered with a clear 4xx
// page (or error) and nothing stored; and one browser never reaching another's installation.

const BASE = "/integrations/vercel";
let t: IntegrationApp;
let sink: Sink;
const logged: string[] = [];

beforeAll(async () => {
  const logs = new Writable({
    write(chunk, _encoding, done) {
      logged.push(String(chunk));
      done();
    },
  });
  [t, sink] = await Promise.all([
    startIntegrationApp({ logger: pino({ level: "debug" }, logs) }),
    Sink.start(),
  ]);
  t.vercel.setProjects("team_fake1", ["web"]);
});
afterAll(async () => {
  await Promise.all([t?.close(), sink?.close()]);
});

const url = (path: string) => `${t.app.url}${path}`;

async function installations(): Promise<{ id: string; updatedAt: string }[]> {
  return (await api(t.app, "/api/v1/installations")).body.data as { id: string; updatedAt: string }[];
}

/** A page's answer: status, content type, the text. */
async function page(response: Response) {
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    text: await response.text(),
  };
}

/** The Redirect URL as Vercel calls it for a fresh code of `teamId`'s installation (no state: Marketplace). */
function callbackFor(teamId: string, extra: Record<string, string> = {}) {
  const grant = t.vercel.makeCode(teamId);
  const query = new URLSearchParams({
    code: grant.code,
    configurationId: grant.configurationId,
    teamId,
    ...extra,
  });
  return { grant, path: `${BASE}/callback?${query}` };
}

/** A browser that has installed on `teamId` and sits on the setup page. */
async function installed(teamId: string) {
  const browser = new CookieClient();
  const { grant, path } = callbackFor(teamId, {
    next: `${t.vercel.siteUrl}/integrations/switchyard/installed`,
  });
  const setup = await page(await browser.request(url(path)));
  expect(setup.status).toBe(200);
  return { browser, grant, html: setup.text };
}

describe("the Redirect URL", () => {
  it("refuses a link without a code, and stores nothing", async () => {
    const before = await installations();
    const answer = await page(await fetch(url(`${BASE}/callback?configurationId=icfg_nocode`)));
    expect(answer.status).toBe(400);
    expect(answer.type).toBe("text/html; charset=utf-8");
    expect(answer.text).toContain("invalid_request");
    expect(await installations()).toEqual(before);
  });

  it("refuses a forged state, without exchanging the code", async () => {
    const browser = new CookieClient();
    await browser.request(url(`${BASE}/install`));
    const exchanges = t.vercel.apiRequests.filter((r) => r.path === "/v2/oauth/access_token").length;
    const { grant, path } = callbackFor("team_forged", { state: "forged-state-value" });
    const answer = await page(await browser.request(url(path)));
    expect(answer.status).toBe(403);
    expect(answer.text).toContain("invalid_state");
    expect(t.vercel.apiRequests.filter((r) => r.path === "/v2/oauth/access_token")).toHaveLength(exchanges);
    expect((await installations()).map((i) => i.id)).not.toContain(grant.configurationId);
  });

  it("refuses a real state brought back by another browser", async () => {
    const starter = new CookieClient();
    const started = await starter.request(url(`${BASE}/install`));
    const state = new URL(started.headers.get("location") ?? "").searchParams.get("state") ?? "";
    expect(state.length).toBeGreaterThanOrEqual(22); // at least 128 bits, base64url
    const { grant, path } = callbackFor("team_otherbrowser", { state });
    const answer = await page(await new CookieClient().request(url(path)));
    expect(answer.status).toBe(403);
    expect((await installations()).map((i) => i.id)).not.toContain(grant.configurationId);
  });

  it("refuses a state used once already", async () => {
    const browser = new CookieClient();
    const { url: landed, response } = await browser.follow(url(`${BASE}/install`));
    expect(response.status).toBe(200);
    const state = new URL(landed).searchParams.get("state") ?? "";
    await browser.request(url(`${BASE}/install`)); // a fresh binding cookie: the old state stays used
    const { path } = callbackFor("team_reused", { state });
    const answer = await page(await browser.request(url(path)));
    expect(answer.status).toBe(403);
    expect(answer.text).toContain("invalid_state");
  });

  it("refuses a replayed code and a failed exchange, and stores nothing new", async () => {
    const { grant, path } = callbackFor("team_replay");
    expect((await fetch(url(path))).status).toBe(200);
    const before = await installations();
    const replayed = await page(await fetch(url(path)));
    expect(replayed.status).toBe(400);
    expect(replayed.text).toContain("code_exchange_failed");
    t.vercel.failNext({ status: 500 });
    const failed = await page(await fetch(url(callbackFor("team_replay").path)));
    expect(failed.status).toBe(400);
    expect(failed.text).toContain("code_exchange_failed");
    expect(await installations()).toEqual(before);
    expect(replayed.text).not.toContain(grant.code);
  });

  it("refuses a code whose configuration is not the one the link names", async () => {
    const grant = t.vercel.makeCode("team_mismatch");
    const answer = await page(
      await fetch(url(`${BASE}/callback?code=${grant.code}&configurationId=icfg_someoneelse`)),
    );
    expect(answer.status).toBe(400);
    expect((await installations()).map((i) => i.id)).not.toContain(grant.configurationId);
  });
});

describe("the setup form", () => {
  it("starts with the Deploy Button's project chosen", async () => {
    const [, api2] = t.vercel.setProjects("team_deploy", ["site", "api"]);
    const { path } = callbackFor("team_deploy", { currentProjectId: api2?.id ?? "" });
    const html = await (await fetch(url(path))).text();
    expect(html).toMatch(new RegExp(`<input[^>]*value="${api2?.id}"[^>]*checked`));
    expect(html).toMatch(/<input[^>]*value="selected"[^>]*checked/);
  });

  it("follows next only back to Vercel", async () => {
    const browser = new CookieClient();
    const { path } = callbackFor("team_next", { next: "https://evil.example/steal" });
    const html = await (await browser.request(url(path))).text();
    const saved = await browser.post(url(`${BASE}/setup`), {
      csrf: fieldValue(html, "csrf") ?? "",
      next: fieldValue(html, "next") ?? "",
      secret: fieldValue(html, "secret") ?? "",
      url: sink.url,
      events: ["deployment.created"],
      projectScope: "all",
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(`${BASE}/closed`);
  });

  it("refuses a form without its CSRF token or with another's, and creates nothing", async () => {
    const { browser, grant, html } = await installed("team_csrf");
    const other = await installed("team_csrf_other");
    const form = {
      next: "",
      secret: fieldValue(html, "secret") ?? "",
      url: sink.url,
      events: ["deployment.created"],
      projectScope: "all",
    };
    for (const csrf of [undefined, "wrong", fieldValue(other.html, "csrf") ?? ""]) {
      const answer = await page(
        await browser.post(url(`${BASE}/setup`), csrf === undefined ? form : { ...form, csrf }),
      );
      expect(answer.status).toBe(403);
      expect(answer.text).toContain("invalid_csrf");
    }
    const destinations = await api(t.app, `/api/v1/destinations?tenant=${grant.configurationId}`);
    expect(destinations.body.data).toEqual([]);
  });

  it("refuses a post without a session", async () => {
    const answer = await page(await new CookieClient().post(url(`${BASE}/setup`), { url: sink.url }));
    expect(answer.status).toBe(401);
    expect(answer.text).toContain("session_required");
  });

  it("shows the form again with what is wrong: non-http, private, missing events", async () => {
    const { browser, grant, html } = await installed("team_badurl");
    const base = {
      csrf: fieldValue(html, "csrf") ?? "",
      next: "",
      secret: fieldValue(html, "secret") ?? "",
      projectScope: "all",
    };
    const cases: [Record<string, string | string[]>, string][] = [
      [
        { url: "ftp://files.example.com/x", events: ["deployment.created"] },
        "must start with https:// or http://",
      ],
      [{ url: "javascript:alert(1)", events: ["deployment.created"] }, "must start with https:// or http://"],
      [{ url: "not a url", events: ["deployment.created"] }, "enter a full URL"],
      [{ url: sink.url, events: [] }, "choose at least one event type"],
      [
        { url: sink.url, events: ["integration-configuration.removed"] },
        "choose only event types from the list",
      ],
    ];
    for (const [fields, message] of cases) {
      const answer = await page(await browser.post(url(`${BASE}/setup`), { ...base, ...fields }));
      expect(answer.status).toBe(400);
      expect(answer.text).toContain(message);
      expect(answer.text).toContain('aria-invalid="true"');
    }
    const destinations = await api(t.app, `/api/v1/destinations?tenant=${grant.configurationId}`);
    expect(destinations.body.data).toEqual([]);
  });
});

describe("one installation's pages, from another's browser", () => {
  it("sends the browser through the install flow and shows nothing of the other", async () => {
    const mine = await installed("team_mine");
    const theirs = await installed("team_theirs");
    const theirsForm = {
      csrf: fieldValue(theirs.html, "csrf") ?? "",
      next: "",
      secret: fieldValue(theirs.html, "secret") ?? "",
      url: `${sink.url}/theirs`,
      events: ["deployment.created"],
      projectScope: "all",
    };
    expect((await theirs.browser.post(url(`${BASE}/setup`), theirsForm)).status).toBe(303);
    const id = theirs.grant.configurationId;

    const seen = await mine.browser.request(url(`${BASE}/configure?configurationId=${id}`));
    expect(seen.status).toBe(303);
    expect(seen.headers.get("location")).toBe(`${BASE}/install?configurationId=${id}`);
    expect(await seen.text()).not.toContain("/theirs");

    const csrf = fieldValue(mine.html, "csrf") ?? "";
    for (const action of ["test", "rotate", "uninstall"]) {
      const answer = await page(
        await mine.browser.post(url(`${BASE}/configure/${action}?configurationId=${id}`), {
          csrf,
          confirm: "yes",
        }),
      );
      expect(answer.status).toBe(401);
      expect(answer.text).not.toContain("/theirs");
    }
    expect(t.vercel.isInstalled(id)).toBe(true);
    const theirEvents = await api(t.app, `/api/v1/events?tenant=${id}`);
    expect(theirEvents.body.data).toEqual([]);
  });

  it("shows an installation's events only to its own session, and replays nothing of another's", async () => {
    const mine = await installed("team_events_mine");
    const theirs = await installed("team_events_theirs");
    const form = (html: string, path: string) => ({
      csrf: fieldValue(html, "csrf") ?? "",
      next: "",
      secret: fieldValue(html, "secret") ?? "",
      url: `${sink.url}/${path}`,
      events: ["deployment.created"],
      projectScope: "all",
    });
    expect((await theirs.browser.post(url(`${BASE}/setup`), form(theirs.html, "theirs"))).status).toBe(303);
    const id = theirs.grant.configurationId;
    // Their test event: an event of their tenant, with a delivery.
    const configure = await theirs.browser.request(url(`${BASE}/configure?configurationId=${id}`));
    const theirCsrf = fieldValue(await configure.text(), "csrf") ?? "";
    expect(
      (await theirs.browser.post(url(`${BASE}/configure/test?configurationId=${id}`), { csrf: theirCsrf }))
        .status,
    ).toBe(303);
    const listed = await api(t.app, `/api/v1/events?tenant=${id}`);
    const theirEvent = (listed.body.data as { id: string }[])[0]?.id ?? "";
    expect(theirEvent).toMatch(/^evt_/);
    const before = await api(t.app, `/api/v1/deliveries?tenant=${id}&event=${theirEvent}`);

    // Their own session sees it.
    const own = await page(await theirs.browser.request(url(`${BASE}/events/${theirEvent}`)));
    expect(own.status).toBe(200);
    expect(own.text).toContain("test-webhook");

    // The events pages' CSP allows the live list's script; the other integration pages allow none.
    const liveList = await theirs.browser.request(url(`${BASE}/events?live=1`));
    expect(liveList.headers.get("content-security-policy")).toContain("script-src 'sha256-");
    await liveList.body?.cancel();
    const closed = await fetch(url(`${BASE}/closed`));
    expect(closed.headers.get("content-security-policy")).not.toContain("script-src");

    // Its live list streams its own tenant's events (the stream opens; it is cut here).
    const abort = new AbortController();
    const live = await theirs.browser.request(url(`${BASE}/events/live`), { signal: abort.signal });
    expect(live.status).toBe(200);
    expect(live.headers.get("content-type")).toContain("text/event-stream");
    abort.abort();
    const liveNamed = await mine.browser.request(url(`${BASE}/events/live?tenant=${id}`));
    expect(liveNamed.status).toBe(401);

    // Mine does not: not in my list, not by its id, not by naming their tenant, not to replay.
    const list = await page(await mine.browser.request(url(`${BASE}/events`)));
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(theirEvent);
    const byId = await page(await mine.browser.request(url(`${BASE}/events/${theirEvent}`)));
    expect(byId.status).toBe(404);
    expect(byId.text).toContain("not_found");
    expect(byId.text).not.toContain("/theirs");
    const named = await page(await mine.browser.request(url(`${BASE}/events?tenant=${id}`)));
    expect(named.status).toBe(401);
    expect(named.text).toContain("session_required");
    expect(named.text).not.toContain(theirEvent);
    const myCsrf = fieldValue(mine.html, "csrf") ?? "";
    const replay = await page(
      await mine.browser.post(url(`${BASE}/events/${theirEvent}/replay`), { csrf: myCsrf }),
    );
    expect(replay.status).toBe(404);
    const namedReplay = await page(
      await mine.browser.post(url(`${BASE}/events/${theirEvent}/replay?tenant=${id}`), { csrf: myCsrf }),
    );
    expect(namedReplay.status).toBe(401);
    // Their own session, without its CSRF token, cannot replay either.
    const forged = await page(
      await theirs.browser.post(url(`${BASE}/events/${theirEvent}/replay`), { csrf: "forged" }),
    );
    expect(forged.status).toBe(403);
    expect(forged.text).toContain("invalid_csrf");
    const after = await api(t.app, `/api/v1/deliveries?tenant=${id}&event=${theirEvent}`);
    expect(after.body.data).toHaveLength((before.body.data as unknown[]).length);

    // No session at all: a page saying how to get one.
    const anonymous = await page(await fetch(url(`${BASE}/events`)));
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).toContain("session_required");
  });

  it("lets the owner back in by proving control through the install flow", async () => {
    const { grant } = await installed("team_return");
    const stranger = new CookieClient();
    // Vercel knows the browser's user: its install page answers with the same configuration.
    t.vercel.installTeamId = "team_return";
    try {
      const { response, url: landed } = await stranger.follow(
        url(`${BASE}/configure?configurationId=${grant.configurationId}`),
        8,
      );
      expect(response.status).toBe(200);
      expect(landed).toBe(url(`${BASE}/configure?configurationId=${grant.configurationId}`));
      expect(await response.text()).toContain("Relay configuration");
    } finally {
      t.vercel.installTeamId = "team_fake1";
    }
  });
});

describe("the webhook and what is logged", () => {
  it("refuses a bad signature and stores nothing", async () => {
    const body = JSON.stringify({ id: "evt_badsig", type: "deployment.created", createdAt: 1, payload: {} });
    const answer = await post(url(`${BASE}/webhook`), body, {
      "x-vercel-signature": vercelSignature(body, "wrong"),
    });
    expect(answer.status).toBe(401);
    expect(answer.body.code).toBe("invalid_signature");
    const unclaimed = await api(t.app, "/api/v1/events?tenant=unclaimed");
    expect(JSON.stringify(unclaimed.body)).not.toContain("evt_badsig");
  });

  it("never shows a token, a code, a state or a session in logs, metrics or API answers", async () => {
    const { browser, grant } = await installed("team_logs");
    const values = [grant.accessToken, grant.code, ...browser.cookies.values(), t.vercel.clientSecret];
    const metrics = await (await fetch(url("/metrics"))).text();
    const answers = JSON.stringify([
      await api(t.app, "/api/v1/installations"),
      await api(t.app, `/api/v1/installations/${grant.configurationId}`),
    ]);
    const text = logged.join("");
    expect(text.length).toBeGreaterThan(0);
    for (const value of values) {
      expect(text).not.toContain(value);
      expect(metrics).not.toContain(value);
      expect(answers).not.toContain(value);
    }
  });
});

describe("states and sessions expire", () => {
  it("ends a session after 8 hours: the configuration page asks for the install flow again", async () => {
    const clock = new FakeClock(Date.now());
    const timed = await startIntegrationApp({ clock });
    try {
      const browser = new CookieClient();
      const grant = timed.vercel.makeCode("team_session");
      const setup = await browser.request(
        `${timed.app.url}${BASE}/callback?code=${grant.code}&configurationId=${grant.configurationId}`,
      );
      expect(setup.status).toBe(200);
      const configure = `${timed.app.url}${BASE}/configure?configurationId=${grant.configurationId}`;
      expect((await browser.request(configure)).status).toBe(200);
      clock.advance(8 * 60 * 60 * 1000 + 1);
      const later = await browser.request(configure);
      expect(later.status).toBe(303);
      expect(later.headers.get("location")).toBe(`${BASE}/install?configurationId=${grant.configurationId}`);
    } finally {
      await timed.close();
    }
  });

  it("refuses a state older than 10 minutes", async () => {
    const clock = new FakeClock(Date.now());
    const timed = await startIntegrationApp({ clock });
    try {
      const browser = new CookieClient();
      const started = await browser.request(`${timed.app.url}${BASE}/install`);
      const state = new URL(started.headers.get("location") ?? "").searchParams.get("state") ?? "";
      clock.advance(10 * 60 * 1000 + 1);
      const grant = timed.vercel.makeCode("team_late");
      const answer = await browser.request(
        `${timed.app.url}${BASE}/callback?code=${grant.code}&configurationId=${grant.configurationId}&state=${state}`,
      );
      expect(answer.status).toBe(403);
      const stored = await api(timed.app, "/api/v1/installations");
      expect(stored.body.data).toEqual([]);
    } finally {
      await timed.close();
    }
  });
});

describe("endpoints on private networks", () => {
  it("are refused as the delivery's SSRF guard would refuse them", async () => {
    const guarded = await startIntegrationApp({ allowPrivateNetworks: false });
    try {
      const browser = new CookieClient();
      const grant = guarded.vercel.makeCode("team_private");
      const html = await (
        await browser.request(
          `${guarded.app.url}${BASE}/callback?code=${grant.code}&configurationId=${grant.configurationId}`,
        )
      ).text();
      const base = {
        csrf: fieldValue(html, "csrf") ?? "",
        next: "",
        secret: fieldValue(html, "secret") ?? "",
        events: ["deployment.created"],
        projectScope: "all",
      };
      for (const endpoint of [
        "http://127.0.0.1:9/hook",
        "http://10.1.2.3/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://localhost:3000/hook",
      ]) {
        const answer = await page(
          await browser.post(`${guarded.app.url}${BASE}/setup`, { ...base, url: endpoint }),
        );
        expect(answer.status, endpoint).toBe(400);
        expect(answer.text, endpoint).toMatch(/private or local address/);
      }
      const destinations = await api(guarded.app, `/api/v1/destinations?tenant=${grant.configurationId}`);
      expect(destinations.body.data).toEqual([]);
    } finally {
      await guarded.close();
    }
  });
});
