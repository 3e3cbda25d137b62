import { afterEach, describe, expect, it } from "vitest";
import { FakeVercel, type FakeVercelOptions } from "../../src/dev/fake-vercel.js";
import { installationEvent } from "../../src/dev/fake-vercel-event.js";
import { classifyEvent, sampleEventTypes } from "../../src/vercel/index.js";
import { vercelSignature } from "../support/send.js";
import { Sink } from "../support/sink.js";

const REDIRECT = "https://switchyard.example/integrations/vercel/callback";
const CONFIGURE = "https://switchyard.example/integrations/vercel/configure";
let fake: FakeVercel;
let sink: Sink | undefined;

async function start(options: Partial<FakeVercelOptions> = {}): Promise<FakeVercel> {
  fake = await FakeVercel.start({ redirectUri: REDIRECT, ...options });
  return fake;
}

afterEach(async () => {
  await fake?.close();
  await sink?.close();
  sink = undefined;
});

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
  redirect: "manual" as const,
});

/** Asks the API for a token of the code a redirect carries; the exchange answers its scope. */
async function exchange(location: string): Promise<{ team_id: string | null }> {
  const code = new URL(location).searchParams.get("code") ?? "";
  const res = await fetch(`${fake.apiUrl}/v2/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      code,
      redirect_uri: REDIRECT,
    }).toString(),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { team_id: string | null };
}

/** The page's HTML, checked for what every page of the fake must be: HTML, with nothing loaded from elsewhere. */
async function page(res: Response): Promise<string> {
  expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
  const text = await res.text();
  expect(text).not.toMatch(/<script|<link|<img|src=|url\(/i);
  return text;
}

describe("the install page, with confirm", () => {
  it("asks which scope to install on, installing nothing until the form is sent", async () => {
    await start({ confirm: true, slug: "my-gateway" });
    const res = await fetch(`${fake.siteUrl}/integrations/my-gateway/new?state=st4te`, {
      redirect: "manual",
    });
    expect(res.status).toBe(200);
    const text = await page(res);
    expect(text).toContain("Install <strong>my-gateway</strong> on");
    expect(text).toContain('<form method="post" action="/integrations/my-gateway/new">');
    expect(text).toContain('<input type="hidden" name="state" value="st4te">');
    expect(text).toContain('<option value="personal">Personal account (fakeuser1)</option>');
    expect(text).toContain('<option value="team_fake1">Fake Team (team_fake1)</option>');
    expect(text).toContain('<button type="submit">Install</button>');
    expect(fake.installations).toEqual([]);
  });

  it("installs into the chosen team and redirects as the immediate install does", async () => {
    await start({ confirm: true });
    const res = await fetch(
      `${fake.siteUrl}/integrations/switchyard/new`,
      form({ scope: "team_fake1", state: "st4te" }),
    );
    expect(res.status).toBe(302);
    const location = res.headers.get("location") ?? "";
    const to = new URL(location);
    expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
    expect(to.searchParams.get("configurationId")).toMatch(/^icfg_/);
    expect(to.searchParams.get("teamId")).toBe("team_fake1");
    expect(to.searchParams.get("state")).toBe("st4te");
    expect(to.searchParams.get("next")).toBe(`${fake.siteUrl}/integrations/switchyard/installed`);
    expect((await exchange(location)).team_id).toBe("team_fake1");
    expect(fake.installations).toEqual([
      { configurationId: to.searchParams.get("configurationId"), teamId: "team_fake1", removed: false },
    ]);
  });

  it("installs into the personal account without teamId, and refuses a scope it did not offer", async () => {
    await start({ confirm: true, teams: [{ id: "team_a", name: "A" }] });
    const personal = await fetch(`${fake.siteUrl}/integrations/switchyard/new`, form({ scope: "personal" }));
    const location = personal.headers.get("location") ?? "";
    expect(new URL(location).searchParams.has("teamId")).toBe(false);
    expect(new URL(location).searchParams.has("state")).toBe(false);
    expect((await exchange(location)).team_id).toBeNull();
    for (const scope of ["team_fake1", ""]) {
      const refused = await fetch(`${fake.siteUrl}/integrations/switchyard/new`, form({ scope }));
      expect(refused.status, scope).toBe(400);
    }
    expect(fake.installations).toHaveLength(1);
  });

  it("escapes what it shows", async () => {
    await start({ confirm: true, teams: [{ id: "team_x", name: "<b>&" }] });
    const state = `"><script>alert(1)</script>`;
    const text = await page(
      await fetch(`${fake.siteUrl}/integrations/switchyard/new?state=${encodeURIComponent(state)}`),
    );
    expect(text).toContain('value="&#34;&#62;&#60;script&#62;alert(1)&#60;/script&#62;"');
    expect(text).toContain("&#60;b&#62;&#38; (team_x)");
  });

  it("keeps installing at once without confirm, as the tests of the install flow expect", async () => {
    await start();
    const res = await fetch(`${fake.siteUrl}/integrations/switchyard/new?state=s`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location") ?? "").searchParams.get("teamId")).toBe("team_fake1");
  });
});

describe("the dashboard", () => {
  it("lists the installations with a link to each one's Configuration URL", async () => {
    await start();
    const empty = await page(await fetch(`${fake.siteUrl}/`));
    expect(empty).toContain("No installation yet");
    expect(empty).toContain('href="/integrations/switchyard/new"');
    const team = fake.makeCode("team_fake1");
    const personal = fake.makeCode(null);
    const text = await page(await fetch(`${fake.siteUrl}/`));
    expect(text).toContain(`<a href="${CONFIGURE}?configurationId=${team.configurationId}">Configure</a>`);
    expect(text).toContain(
      `<a href="${CONFIGURE}?configurationId=${personal.configurationId}">Configure</a>`,
    );
    expect(text).toContain("Fake Team (team_fake1)");
    expect(text).toContain("Personal account (fakeuser1)");
    // No Webhook URL: nothing to send events to.
    expect(text).not.toContain('action="/events"');
  });

  it("shows a removed installation without its link", async () => {
    await start();
    const grant = fake.makeCode("team_fake1");
    const url = `${fake.apiUrl}/v1/integrations/configuration/${grant.configurationId}?teamId=team_fake1`;
    await fetch(url, { method: "DELETE", headers: { authorization: `Bearer ${grant.accessToken}` } });
    const text = await page(await fetch(`${fake.siteUrl}/`));
    expect(text).toContain(grant.configurationId);
    expect(text).toContain("removed");
    expect(text).not.toContain("configurationId=");
  });

  it("takes the Configuration URL from the options when given", async () => {
    await start({ configurationUrl: "https://elsewhere.example/setup?x=1" });
    expect(fake.configurationUrlOf("icfg_1")).toBe(
      "https://elsewhere.example/setup?x=1&configurationId=icfg_1",
    );
  });

  it("sends a test event from its form, and lists what was sent with the answer", async () => {
    sink = await Sink.start();
    await start({ webhookUrl: sink.url });
    const grant = fake.makeCode(null);
    const text = await page(await fetch(`${fake.siteUrl}/`));
    expect(text).toContain('<form method="post" action="/events">');
    for (const type of sampleEventTypes()) expect(text).toContain(`<option>${type}</option>`);
    expect(text).toContain(`<option value="${grant.configurationId}">`);

    const res = await fetch(
      `${fake.siteUrl}/events`,
      form({ type: "deployment.created", configurationId: grant.configurationId }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
    const [received] = sink.received;
    expect(received?.json.type).toBe("deployment.created");
    expect(received?.headers["x-vercel-signature"]).toBe(
      vercelSignature(received?.body ?? "", fake.clientSecret),
    );
    const after = await page(await fetch(`${fake.siteUrl}/`));
    expect(after).toContain(`<code>${received?.json.id}</code></td><td>deployment.created</td>`);
    expect(after).toContain("<td>200</td>");
  });

  it("refuses an unknown type or installation, and sends nothing", async () => {
    sink = await Sink.start();
    await start({ webhookUrl: sink.url });
    const grant = fake.makeCode(null);
    const unknownType = form({ type: "nope", configurationId: grant.configurationId });
    expect((await fetch(`${fake.siteUrl}/events`, unknownType)).status).toBe(400);
    const unknownInstallation = form({ type: "deployment.created", configurationId: "icfg_other" });
    expect((await fetch(`${fake.siteUrl}/events`, unknownInstallation)).status).toBe(400);
    expect(sink.received).toHaveLength(0);
  });
});

describe("sendEvent", () => {
  it("POSTs a catalog sample addressed to the installation, signed with the client secret", async () => {
    sink = await Sink.start();
    await start({ clientSecret: "the-client-secret" });
    const grant = fake.makeCode("team_fake1");
    const [project] = fake.setProjects("team_fake1", ["web", "api"]);
    expect(
      await fake.sendEvent(sink.url, "deployment.created", { configurationId: grant.configurationId }),
    ).toBe(200);
    const [received] = await sink.waitFor(1);
    const raw = received?.body ?? Buffer.alloc(0);
    expect(received?.headers["x-vercel-signature"]).toBe(vercelSignature(raw, "the-client-secret"));
    expect(received?.headers["content-type"]).toBe("application/json");
    const event = JSON.parse(raw.toString()) as { payload: Record<string, { id: unknown }> };
    expect(event.payload.team?.id).toBe("team_fake1");
    expect(event.payload.user?.id).toBe(fake.userId);
    expect(event.payload.project?.id).toBe(project?.id);
    expect(classifyEvent(event).schemaIssues).toEqual([]);
    expect(fake.sent).toEqual([
      {
        id: (event as unknown as { id: string }).id,
        type: "deployment.created",
        configurationId: grant.configurationId,
        status: 200,
        error: null,
      },
    ]);
  });

  it("names the installation where the event carries one, and a personal account's team is null", async () => {
    sink = await Sink.start();
    await start();
    const grant = fake.makeCode(null);
    await fake.sendEvent(sink.url, "integration-resource.project-connected", {
      teamId: null,
      projectId: "prj_mine",
    });
    const [received] = await sink.waitFor(1);
    expect(received?.json).toMatchObject({
      payload: {
        installationId: grant.configurationId,
        configuration: { id: grant.configurationId },
        project: { id: "prj_mine" },
        projectId: "prj_mine",
      },
    });
    await fake.sendEvent(sink.url, "deployment.error");
    const [, second] = await sink.waitFor(2);
    expect(second?.json).toMatchObject({ payload: { team: { id: null }, user: { id: fake.userId } } });
  });

  it("answers the Webhook URL's status, and throws when there is no installation or no answer", async () => {
    sink = await Sink.start();
    sink.reply = () => ({ status: 403 });
    await start();
    await expect(fake.sendEvent(sink.url, "deployment.created")).rejects.toThrow(/no active installation/);
    const grant = fake.makeCode("team_fake1");
    expect(await fake.sendEvent(sink.url, "deployment.created", { teamId: "team_fake1" })).toBe(403);
    await expect(fake.sendEvent(sink.url, "deployment.created", { teamId: null })).rejects.toThrow(
      /no active installation of null/,
    );
    const closed = sink.url;
    await sink.close();
    sink = undefined;
    await expect(fake.sendEvent(closed, "deployment.created")).rejects.toThrow();
    expect(fake.sent.map((s) => [s.configurationId, s.status, s.error === null])).toEqual([
      [grant.configurationId, 403, true],
      [grant.configurationId, null, false],
    ]);
  });

  it("removes the installation before it sends integration-configuration.removed, as Vercel does", async () => {
    sink = await Sink.start();
    await start();
    const grant = fake.makeCode("team_fake1");
    await fake.sendEvent(sink.url, "integration-configuration.removed");
    expect(fake.isInstalled(grant.configurationId)).toBe(false);
    expect(sink.received[0]?.json).toMatchObject({
      payload: { configuration: { id: grant.configurationId } },
    });
  });
});

describe("installationEvent", () => {
  const team = {
    configurationId: "icfg_t",
    teamId: "team_t",
    userId: "u1",
    projectId: "prj_p",
    clientId: "oac_c",
  };
  const personal = { ...team, teamId: null, projectId: null };
  it.each(sampleEventTypes())("keeps %s schema-valid for a team and for a personal account", (type) => {
    for (const address of [team, personal]) {
      const event = installationEvent(type, address, 1_750_000_000_000);
      expect(classifyEvent(event).schemaIssues, JSON.stringify(address)).toEqual([]);
      expect(event.createdAt).toBe(1_750_000_000_000);
      const text = JSON.stringify(event);
      // No id of the sample's own team, user, configuration or client is left.
      for (const sampleId of [
        "team_4vW6xY8zA0bC2dE4fG6hI8jK",
        "zTxUxnfeSUxWU5nL5jpSzC8E",
        "icfg_Qw8eR5tY2uI9oP3aS6dF1gH4",
        "oac_7Hx9qPzR4mN2vL5wK8jB3cT6",
      ]) {
        expect(text).not.toContain(sampleId);
      }
    }
  });
});
