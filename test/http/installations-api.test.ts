import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newEventId } from "../../src/core/ids.js";
import { SecretBox } from "../../src/core/secret-box.js";
import { installationTokenContext } from "../../src/integration/token.js";
import { type ApiTestApp, apiTestApp } from "../support/api-app.js";
import { ENCRYPTION_KEY } from "../support/app.js";
import type { Grant } from "../support/fake-vercel.js";
import { FakeVercel } from "../support/fake-vercel.js";

// The integration's installations in the management API, on a real store, against the fake Vercel.

const PUBLIC_URL = "https://relay.example.com";
const box = SecretBox.fromText(ENCRYPTION_KEY);
let vercel: FakeVercel;
let t: ApiTestApp;

beforeAll(async () => {
  vercel = await FakeVercel.start({ redirectUri: `${PUBLIC_URL}/integrations/vercel/callback` });
  t = await apiTestApp({
    integration: {
      slug: "switchyard",
      clientId: vercel.clientId,
      clientSecret: vercel.clientSecret,
      publicUrl: PUBLIC_URL,
      vercel: { apiUrl: vercel.apiUrl, siteUrl: vercel.siteUrl },
    },
  });
});
afterAll(async () => {
  await t.close();
  await vercel.close();
});

async function call(path: string, init?: RequestInit) {
  const res = await t.call(path, init);
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field below
  return { status: res.status, body: (await res.json()) as any };
}

/** An installation as the install flow stores it: its token sealed for it. */
async function installed(grant: Grant) {
  return t.deps.store.installations.upsert(
    {
      id: grant.configurationId,
      teamId: grant.teamId,
      userId: grant.userId,
      accessToken: box.seal(grant.accessToken, installationTokenContext(grant.configurationId)),
      scopes: ["read:project"],
      projects: "all",
    },
    Date.now(),
  );
}

describe("installations in the API", () => {
  it("lists and shows installations, never their tokens", async () => {
    const grant = vercel.makeCode("team_list");
    await installed(grant);
    const listed = await call("/api/v1/installations");
    expect(listed.status).toBe(200);
    const item = listed.body.data.find((i: { id: string }) => i.id === grant.configurationId);
    expect(item).toMatchObject({
      teamId: "team_list",
      status: "active",
      scopes: ["read:project"],
      projects: "all",
    });
    const one = await call(`/api/v1/installations/${grant.configurationId}`);
    expect(one.body).toMatchObject({ id: grant.configurationId, status: "active", removedAt: null });
    for (const body of [listed.body, one.body]) {
      const text = JSON.stringify(body);
      expect(text).not.toContain(grant.accessToken);
      expect(text).not.toContain("accessToken");
    }
    expect((await call("/api/v1/installations/icfg_nobody")).status).toBe(404);
    expect((await call("/api/v1/installations/a%2Fb")).status).toBe(404);
  });

  it("uninstalls: deletes the configuration at Vercel, purges the tenant, keeps the audit record", async () => {
    const grant = vercel.makeCode("team_gone");
    await installed(grant);
    const tenant = grant.configurationId;
    const now = Date.now();
    await t.deps.store.insertEvents([
      {
        id: newEventId(now),
        tenant,
        source: "vercel",
        externalId: "evt_owned",
        type: "deployment.created",
        originalType: "deployment.created",
        receivedAt: now,
        unknownType: false,
        schemaIssues: [],
        body: Buffer.from("{}"),
        deliveries: [],
      },
    ]);
    const removed = await call(`/api/v1/installations/${tenant}`, { method: "DELETE" });
    expect(removed.status).toBe(200);
    expect(removed.body.removed).toMatchObject({ events: 1 });
    expect(vercel.isInstalled(tenant)).toBe(false);
    const deleteCall = vercel.apiRequests.find((r) => r.method === "DELETE");
    expect(deleteCall?.path).toBe(`/v1/integrations/configuration/${tenant}`);
    expect(deleteCall?.query).toMatchObject({ teamId: "team_gone" });
    expect((await call(`/api/v1/events?tenant=${tenant}`)).body.data).toEqual([]);
    const audit = await call(`/api/v1/installations/${tenant}`);
    expect(audit.body).toMatchObject({ status: "removed", removed: { events: 1 } });
    expect(audit.body.removedAt).not.toBeNull();
    expect((await call(`/api/v1/installations/${tenant}`, { method: "DELETE" })).status).toBe(404);
  });

  it("removes nothing when Vercel cannot delete the configuration", async () => {
    const grant = vercel.makeCode("team_kept");
    await installed(grant);
    vercel.failNext({ status: 500, code: "internal_server_error", message: "try later" });
    const refused = await call(`/api/v1/installations/${grant.configurationId}`, { method: "DELETE" });
    expect(refused.status).toBe(502);
    expect(refused.body.code).toBe("vercel_error");
    expect(JSON.stringify(refused.body)).not.toContain(grant.accessToken);
    expect((await call(`/api/v1/installations/${grant.configurationId}`)).body.status).toBe("active");
    expect(vercel.isInstalled(grant.configurationId)).toBe(true);
  });
});

describe("the install flow's cookies on an https public URL", () => {
  it("are Secure, HttpOnly, SameSite=Lax and scoped to the integration's paths", async () => {
    const install = await t.call("/integrations/vercel/install");
    expect(install.status).toBe(302);
    const grant = vercel.makeCode("team_cookies");
    const callback = await t.call(
      `/integrations/vercel/callback?code=${grant.code}&configurationId=${grant.configurationId}`,
    );
    expect(callback.status).toBe(200);
    const cookies = [...install.headers.getSetCookie(), ...callback.headers.getSetCookie()].filter(
      (c) => !/Max-Age=0/i.test(c),
    );
    expect(cookies.map((c) => c.split("=")[0])).toEqual(["switchyard_install", "switchyard_session"]);
    for (const cookie of cookies) {
      expect(cookie).toContain("; Secure");
      expect(cookie).toContain("; HttpOnly");
      expect(cookie).toContain("; SameSite=Lax");
      expect(cookie).toContain("; Path=/integrations/vercel");
    }
  });
});
