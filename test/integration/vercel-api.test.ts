import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { VercelApi, VercelApiError, type VercelApiOptions } from "../../src/integration/vercel-api.js";
import { FakeVercel, type FakeVercelOptions } from "../support/fake-vercel.js";

const REDIRECT = "https://switchyard.example/integration/callback";
let fake: FakeVercel;
let now = 1_750_000_000_000;
let waits: number[] = [];
const clock = { now: () => now };
// The client's waits: recorded, and the clock moved on by each, so no test sleeps.
const sleep = async (ms: number) => {
  waits.push(ms);
  now += ms;
};

async function setup(fakeOptions: Partial<FakeVercelOptions> = {}, apiOptions: VercelApiOptions = {}) {
  waits = [];
  fake = await FakeVercel.start({ redirectUri: REDIRECT, clock, ...fakeOptions });
  return new VercelApi({ apiUrl: fake.apiUrl, clock, sleep, ...apiOptions });
}

afterEach(async () => {
  await fake?.close();
});

const exchangeInput = (code: string) => ({
  clientId: fake.clientId,
  clientSecret: fake.clientSecret,
  code,
  redirectUri: REDIRECT,
});

async function failure(promise: Promise<unknown>): Promise<VercelApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VercelApiError);
  return error as VercelApiError;
}

describe("exchangeCode", () => {
  it("posts the form fields and answers the token in camelCase", async () => {
    const api = await setup();
    const grant = fake.makeCode("team_a");
    expect(await api.exchangeCode(exchangeInput(grant.code))).toEqual({
      accessToken: grant.accessToken,
      tokenType: "Bearer",
      installationId: grant.configurationId,
      userId: fake.userId,
      teamId: "team_a",
    });
    const [request] = fake.apiRequests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe("/v2/oauth/access_token");
    expect(request?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(request?.body))).toEqual({
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      code: grant.code,
      redirect_uri: REDIRECT,
    });
  });

  it("answers teamId null for a personal install", async () => {
    const api = await setup();
    expect((await api.exchangeCode(exchangeInput(fake.makeCode(null).code))).teamId).toBeNull();
  });

  it("throws a typed error with Vercel's code, never the secret or the code", async () => {
    const api = await setup();
    const grant = fake.makeCode();
    await api.exchangeCode(exchangeInput(grant.code));
    const used = await failure(api.exchangeCode(exchangeInput(grant.code)));
    expect(used).toMatchObject({ code: "vercel_api_error", status: 400, vercelCode: "bad_request" });
    expect(used.message).toContain("400");

    const fresh = fake.makeCode().code;
    fake.failNext({ status: 401, code: "unauthorized", message: `bad ${fresh} for ${fake.clientSecret}` });
    const echoed = await failure(api.exchangeCode(exchangeInput(fresh)));
    expect(echoed.message).not.toContain(fresh);
    expect(echoed.message).not.toContain(fake.clientSecret);
    expect(echoed.message).toContain("[redacted]");
  });

  it("refuses a 2xx that is not the documented shape", async () => {
    const api = await setup();
    fake.failNext({ status: 200 });
    expect(await failure(api.exchangeCode(exchangeInput("c")))).toMatchObject({
      code: "vercel_invalid_response",
      status: 200,
    });
  });
});

describe("listProjects", () => {
  for (const pagination of ["timestamp", "token"] as const) {
    it(`follows every page of the team's projects (${pagination} cursors)`, async () => {
      const api = await setup({ pagination });
      const grant = fake.makeCode("team_a");
      const names = Array.from({ length: 250 }, (_, i) => `project-${i}`);
      const made = fake.setProjects("team_a", names);
      expect(await api.listProjects(grant.accessToken, "team_a")).toEqual(made);
      const requests = fake.apiRequests;
      expect(requests).toHaveLength(3);
      for (const r of requests) {
        expect(r.path).toBe("/v10/projects");
        expect(r.headers.authorization).toBe(`Bearer ${grant.accessToken}`);
        expect(r.query).toMatchObject({ limit: "100", teamId: "team_a" });
      }
      expect(requests[0]?.query.from).toBeUndefined();
      expect(requests[1]?.query.from).toBeDefined();
    });
  }

  it("sends no teamId for a personal account", async () => {
    const api = await setup();
    const grant = fake.makeCode(null);
    fake.setProjects(null, ["mine"]);
    expect((await api.listProjects(grant.accessToken, null)).map((p) => p.name)).toEqual(["mine"]);
    expect(fake.apiRequests[0]?.query).toEqual({ limit: "100" });
  });

  it("answers an empty list for a scope with no projects", async () => {
    const api = await setup();
    const grant = fake.makeCode("team_a");
    expect(await api.listProjects(grant.accessToken, "team_a")).toEqual([]);
  });

  it("throws Vercel's 403 for a token of another scope", async () => {
    const api = await setup();
    const grant = fake.makeCode("team_a");
    expect(await failure(api.listProjects(grant.accessToken, "team_b"))).toMatchObject({
      code: "vercel_api_error",
      status: 403,
      vercelCode: "forbidden",
    });
  });
});

describe("deleteConfiguration", () => {
  it("deletes the configuration in the team's scope", async () => {
    const api = await setup();
    const grant = fake.makeCode("team_a");
    await api.deleteConfiguration(grant.accessToken, grant.configurationId, "team_a");
    expect(fake.isInstalled(grant.configurationId)).toBe(false);
    const [request] = fake.apiRequests;
    expect(request).toMatchObject({
      method: "DELETE",
      path: `/v1/integrations/configuration/${grant.configurationId}`,
      query: { teamId: "team_a" },
    });
  });

  it("throws Vercel's 404 for a configuration that is not there", async () => {
    const api = await setup();
    const grant = fake.makeCode(null);
    expect(await failure(api.deleteConfiguration(grant.accessToken, "icfg_gone", null))).toMatchObject({
      status: 404,
      vercelCode: "not_found",
    });
  });
});

describe("rate limits", () => {
  it("waits out Retry-After, then answers", async () => {
    const api = await setup();
    const grant = fake.makeCode(null);
    fake.failNext({ status: 429, headers: { "retry-after": "2" } });
    expect(await api.listProjects(grant.accessToken, null)).toEqual([]);
    expect(waits).toEqual([2000]);
    expect(fake.apiRequests).toHaveLength(2);
  });

  it("waits until X-RateLimit-Reset when there is no Retry-After", async () => {
    const api = await setup();
    const grant = fake.makeCode(null);
    const before = now;
    const reset = Math.ceil(now / 1000) + 3;
    fake.failNext({
      status: 429,
      headers: { "x-ratelimit-reset": String(reset), "x-ratelimit-remaining": "0" },
    });
    await api.deleteConfiguration(grant.accessToken, grant.configurationId, null);
    expect(waits).toEqual([reset * 1000 - before]);
    expect(fake.isInstalled(grant.configurationId)).toBe(false);
  });

  it("throws vercel_rate_limited when the wait is past the bound, unsaid, or the tries are spent", async () => {
    const api = await setup({}, { maxRateLimitWaitMs: 5000, maxRateLimitRetries: 1 });
    const grant = fake.makeCode(null);
    fake.failNext({ status: 429, headers: { "retry-after": "60" } });
    expect(await failure(api.listProjects(grant.accessToken, null))).toMatchObject({
      code: "vercel_rate_limited",
      status: 429,
      vercelCode: "rate_limited",
      retryAfterMs: 60_000,
    });
    fake.failNext({ status: 429 });
    expect(await failure(api.listProjects(grant.accessToken, null))).toMatchObject({
      code: "vercel_rate_limited",
      retryAfterMs: null,
    });
    fake.failNext(
      { status: 429, headers: { "retry-after": "1" } },
      { status: 429, headers: { "retry-after": "1" } },
    );
    expect(await failure(api.listProjects(grant.accessToken, null))).toMatchObject({
      code: "vercel_rate_limited",
    });
    expect(waits).toEqual([1000]);
  });
});

describe("an unreachable API", () => {
  it("throws vercel_unreachable", async () => {
    // A port that was just free: nothing listens on it.
    const probe = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => probe.once("listening", resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const offline = new VercelApi({ apiUrl: `http://127.0.0.1:${port}`, clock, sleep });
    expect(await failure(offline.listProjects("t", null))).toMatchObject({
      code: "vercel_unreachable",
      status: 0,
    });
  });
});
