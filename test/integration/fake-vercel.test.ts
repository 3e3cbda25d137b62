import { DeleteConfigurationRequest$outboundSchema } from "@vercel/sdk/models/deleteconfigurationop.js";
import { GetProjectsResponseBody$inboundSchema } from "@vercel/sdk/models/getprojectsresponsebody.js";
import { afterEach, describe, expect, it } from "vitest";
import { CODE_TTL_MS, FakeVercel, type FakeVercelOptions } from "../support/fake-vercel.js";

const REDIRECT = "https://switchyard.example/integration/callback";
let fake: FakeVercel;
let now = 1_750_000_000_000;
const clock = { now: () => now };

async function start(options: Partial<FakeVercelOptions> = {}): Promise<FakeVercel> {
  fake = await FakeVercel.start({ redirectUri: REDIRECT, clock, ...options });
  return fake;
}

afterEach(async () => {
  await fake?.close();
});

/** POSTs the code exchange as form fields, the way Vercel documents it. */
function exchange(fields: Record<string, string>, contentType = "application/x-www-form-urlencoded") {
  return fetch(`${fake.apiUrl}/v2/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: new URLSearchParams(fields).toString(),
  });
}

const fieldsFor = (code: string) => ({
  client_id: fake.clientId,
  client_secret: fake.clientSecret,
  code,
  redirect_uri: REDIRECT,
});

describe("the install page", () => {
  it("redirects to the Redirect URL with code, configurationId, teamId, next and state", async () => {
    await start({ slug: "my-gateway" });
    const res = await fetch(`${fake.siteUrl}/integrations/my-gateway/new?state=st4te`, {
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get("location") ?? "");
    expect(`${to.origin}${to.pathname}`).toBe(REDIRECT);
    expect(to.searchParams.get("configurationId")).toMatch(/^icfg_/);
    expect(to.searchParams.get("teamId")).toBe("team_fake1");
    expect(to.searchParams.get("state")).toBe("st4te");
    expect(to.searchParams.get("next")).toBe(`${fake.siteUrl}/integrations/my-gateway/installed`);
    const answer = await exchange(fieldsFor(to.searchParams.get("code") ?? ""));
    expect(answer.status).toBe(200);
  });

  it("leaves teamId out for a personal install, and 404s for another slug", async () => {
    await start();
    fake.installTeamId = null;
    const res = await fetch(`${fake.siteUrl}/integrations/switchyard/new`, { redirect: "manual" });
    const to = new URL(res.headers.get("location") ?? "");
    expect(to.searchParams.has("teamId")).toBe(false);
    expect(to.searchParams.has("state")).toBe(false);
    expect((await fetch(`${fake.siteUrl}/integrations/other/new`, { redirect: "manual" })).status).toBe(404);
  });

  it("reuses the configuration when the scope already has the integration", async () => {
    await start();
    const first = fake.makeCode("team_a");
    const second = fake.makeCode("team_a");
    expect(second.configurationId).toBe(first.configurationId);
    expect(second.code).not.toBe(first.code);
  });
});

describe("the code exchange", () => {
  it("answers the documented snake_case token once per code", async () => {
    await start();
    const grant = fake.makeCode("team_a");
    const res = await exchange(fieldsFor(grant.code));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      token_type: "Bearer",
      access_token: grant.accessToken,
      installation_id: grant.configurationId,
      user_id: fake.userId,
      team_id: "team_a",
    });
    const again = await exchange(fieldsFor(grant.code));
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: { code: "bad_request", message: expect.any(String) } });
  });

  it("answers team_id null for a personal install", async () => {
    await start();
    const res = await exchange(fieldsFor(fake.makeCode(null).code));
    expect(((await res.json()) as { team_id: unknown }).team_id).toBeNull();
  });

  it("refuses a code older than 30 minutes", async () => {
    await start();
    const grant = fake.makeCode();
    now += CODE_TTL_MS;
    expect((await exchange(fieldsFor(grant.code))).status).toBe(400);
  });

  it("checks the content type and every field", async () => {
    await start();
    const code = fake.makeCode().code;
    expect((await exchange(fieldsFor(code), "application/json")).status).toBe(400);
    for (const field of ["client_id", "client_secret", "code", "redirect_uri"] as const) {
      const fields: Record<string, string> = fieldsFor(code);
      delete fields[field];
      const res = await exchange(fields);
      expect(res.status, field).toBe(400);
      expect(JSON.stringify(await res.json())).toContain(field);
    }
    expect((await exchange({ ...fieldsFor(code), client_secret: "wrong" })).status).toBe(403);
    expect((await exchange({ ...fieldsFor(code), client_id: "oac_other" })).status).toBe(403);
    expect((await exchange({ ...fieldsFor(code), redirect_uri: `${REDIRECT}/` })).status).toBe(400);
    const get = await fetch(`${fake.apiUrl}/v2/oauth/access_token`);
    expect(get.status).toBe(404);
  });
});

describe("the projects list", () => {
  const list = (token: string, query: string) =>
    fetch(`${fake.apiUrl}/v10/projects?${query}`, { headers: { authorization: `Bearer ${token}` } });

  for (const pagination of ["timestamp", "token"] as const) {
    it(`pages through a team's projects in @vercel/sdk's shape (${pagination} cursors)`, async () => {
      await start({ pagination });
      const grant = fake.makeCode("team_a");
      const made = fake.setProjects("team_a", ["web", "api", "docs", "blog", "shop"]);
      fake.setProjects(null, ["personal"]);
      const seen: string[] = [];
      let from: string | null = null;
      for (let page = 0; page < 5; page++) {
        const res = await list(
          grant.accessToken,
          `limit=2&teamId=team_a${from === null ? "" : `&from=${from}`}`,
        );
        expect(res.status).toBe(200);
        const body = (await res.json()) as { projects: { name: string }[]; pagination: { next: unknown } };
        expect(GetProjectsResponseBody$inboundSchema.safeParse(body).success).toBe(true);
        seen.push(...body.projects.map((p) => p.name));
        if (body.pagination.next === null) break;
        expect(typeof body.pagination.next).toBe(pagination === "token" ? "string" : "number");
        from = String(body.pagination.next);
      }
      expect(seen).toEqual(made.map((p) => p.name));
    });
  }

  it("scopes a token to its installation's team", async () => {
    await start();
    const team = fake.makeCode("team_a");
    const personal = fake.makeCode(null);
    fake.setProjects(null, ["mine"]);
    expect((await list(team.accessToken, "limit=10")).status).toBe(403);
    expect((await list(team.accessToken, "limit=10&teamId=team_b")).status).toBe(403);
    expect((await list(personal.accessToken, "limit=10&teamId=team_a")).status).toBe(403);
    const mine = (await (await list(personal.accessToken, "limit=10")).json()) as {
      projects: { name: string }[];
    };
    expect(mine.projects.map((p) => p.name)).toEqual(["mine"]);
    const denied = await list("not-a-token", "limit=10");
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      error: { code: "forbidden", message: "Not authorized", invalidToken: true },
    });
  });

  it("refuses a limit past 100", async () => {
    await start();
    const grant = fake.makeCode("team_a");
    expect((await list(grant.accessToken, "limit=101&teamId=team_a")).status).toBe(400);
  });
});

describe("the configuration delete", () => {
  it("answers 204 with no body, and the token stops working", async () => {
    await start();
    const grant = fake.makeCode("team_a");
    const request = DeleteConfigurationRequest$outboundSchema.parse({
      id: grant.configurationId,
      teamId: "team_a",
    });
    const url = `${fake.apiUrl}/v1/integrations/configuration/${request.id}?teamId=${request.teamId}`;
    const init = { method: "DELETE", headers: { authorization: `Bearer ${grant.accessToken}` } };
    const res = await fetch(url, init);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(fake.isInstalled(grant.configurationId)).toBe(false);
    expect((await fetch(url, init)).status).toBe(403);
  });

  it("404s for a configuration the token is not of", async () => {
    await start();
    const grant = fake.makeCode("team_a");
    const res = await fetch(`${fake.apiUrl}/v1/integrations/configuration/icfg_other?teamId=team_a`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${grant.accessToken}` },
    });
    expect(res.status).toBe(404);
    expect(fake.isInstalled(grant.configurationId)).toBe(true);
  });
});

describe("recording and failures", () => {
  it("records every request and answers the failures a test asks for, in order", async () => {
    await start();
    fake.failNext({ status: 429, headers: { "retry-after": "3" } }, { status: 503, message: "down" });
    const first = await fetch(`${fake.apiUrl}/v10/projects`);
    expect(first.status).toBe(429);
    expect(first.headers.get("retry-after")).toBe("3");
    expect(await first.json()).toEqual({ error: { code: "rate_limited", message: expect.any(String) } });
    const second = await fetch(`${fake.apiUrl}/v10/projects`);
    expect(await second.json()).toEqual({ error: { code: "internal_server_error", message: "down" } });
    expect((await fetch(`${fake.apiUrl}/v10/projects`)).status).toBe(403);
    await fetch(`${fake.siteUrl}/integrations/switchyard/new`, { redirect: "manual" });
    expect(fake.requests.map((r) => `${r.origin} ${r.method} ${r.path}`)).toEqual([
      "api GET /v10/projects",
      "api GET /v10/projects",
      "api GET /v10/projects",
      "site GET /integrations/switchyard/new",
    ]);
    expect(fake.apiRequests).toHaveLength(3);
  });
});
