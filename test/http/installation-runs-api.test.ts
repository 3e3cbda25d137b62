import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox } from "../../src/core/secret-box.js";
import { installationTokenContext } from "../../src/integration/token.js";
import { type ApiTestApp, apiTestApp } from "../support/api-app.js";
import { ENCRYPTION_KEY } from "../support/app.js";
import { FakeVercel, type Grant } from "../support/fake-vercel.js";

// Which deployment actions and checks run for an installation, in the management API:
// `GET/PUT /api/v1/installations/:id/runs`, validated, the projects checked against the
// installation's own as the fake Vercel lists them, and another installation's left alone.

const PUBLIC_URL = "https://relay.example.com";
const box = SecretBox.fromText(ENCRYPTION_KEY);
let vercel: FakeVercel;
let t: ApiTestApp;
let mine: Grant;
let theirs: Grant;
let projects: { id: string; name: string }[];
let otherProjects: { id: string; name: string }[];

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
    actions: [
      {
        slug: "branch",
        kind: "postgres-branch",
        postgres: { url: "postgres://admin:hunter2@db.internal:5432/postgres", template: "app" },
      },
      {
        slug: "notify",
        kind: "http",
        url: "https://ci.internal.example/hook?token=abc",
        description: "Tells CI.",
      },
    ],
    checks: [
      {
        name: "Smoke test",
        kind: "http",
        url: "https://{deployment.url}/api/health?key=k",
        blocking: true,
        expect: { status: 200, bodyContains: "ok" },
      },
      {
        name: "Outside",
        kind: "http",
        url: "https://probe.example/?u={deployment.url}",
        targets: ["preview"],
      },
    ],
  });
  projects = vercel.setProjects("team_runs", ["web", "api"]);
  otherProjects = vercel.setProjects("team_else", ["theirs"]);
  mine = vercel.makeCode("team_runs");
  theirs = vercel.makeCode("team_else");
  for (const grant of [mine, theirs])
    await t.deps.store.installations.upsert(
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

const put = (id: string, body: unknown) =>
  call(`/api/v1/installations/${id}/runs`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("an installation's runs in the API", () => {
  it("lists every declared action and check, each on for every project at first, in words that keep the server's addresses to itself", async () => {
    const { status, body } = await call(`/api/v1/installations/${mine.configurationId}/runs`);
    expect(status).toBe(200);
    expect(body).toEqual({
      data: [
        {
          kind: "action",
          name: "branch",
          description:
            "Gives each git branch its own PostgreSQL database, cloned from a template, as DATABASE_URL.",
          runs: "all",
        },
        { kind: "action", name: "notify", description: "Tells CI.", runs: "all" },
        {
          kind: "check",
          name: "Smoke test",
          description:
            'Requests /api/health of each deployment, expecting 200 containing "ok"; a failure holds back its promotion.',
          runs: "all",
        },
        {
          kind: "check",
          name: "Outside",
          description: "Asks a service about each preview deployment, expecting a 2xx answer.",
          runs: "all",
        },
      ],
    });
    const text = JSON.stringify(body);
    for (const secret of ["hunter2", "db.internal", "ci.internal", "token=abc", "key=k", "probe.example"])
      expect(text).not.toContain(secret);
  });

  it("replaces them: off, only some of its projects, and what is left out runs everywhere", async () => {
    const [web, api] = projects;
    const saved = await put(mine.configurationId, {
      data: [
        { kind: "action", name: "branch", runs: "off" },
        { kind: "check", name: "Smoke test", runs: [api?.id, web?.id, api?.id] },
        { kind: "action", name: "notify", runs: "all" },
      ],
    });
    expect(saved.status).toBe(200);
    const runs = (body: { data: { name: string; runs: unknown }[] }) =>
      Object.fromEntries(body.data.map((i) => [i.name, i.runs]));
    const expected = {
      branch: "off",
      notify: "all",
      "Smoke test": [web?.id, api?.id].sort(),
      Outside: "all",
    };
    expect(runs(saved.body)).toEqual(expected);
    const read = await call(`/api/v1/installations/${mine.configurationId}/runs`);
    expect(runs(read.body)).toEqual(expected);
    // What GET gives can be sent back as it is.
    expect((await put(mine.configurationId, read.body)).status).toBe(200);
    // Another installation's are untouched.
    const other = await call(`/api/v1/installations/${theirs.configurationId}/runs`);
    expect(other.body.data.every((i: { runs: string }) => i.runs === "all")).toBe(true);

    const none = await put(mine.configurationId, { data: [] });
    expect(none.body.data.every((i: { runs: string }) => i.runs === "all")).toBe(true);
  });

  it("refuses an item not declared here, a project of another installation, and a malformed body, changing nothing", async () => {
    await put(mine.configurationId, { data: [{ kind: "action", name: "branch", runs: "off" }] });
    const refused = [
      [{ data: [{ kind: "action", name: "teleport", runs: "off" }] }, 400, "unknown_action"],
      [{ data: [{ kind: "check", name: "branch", runs: "off" }] }, 400, "unknown_check"],
      [{ data: [{ kind: "action", name: "notify", runs: [otherProjects[0]?.id] }] }, 400, "unknown_project"],
      [{ data: [{ kind: "action", name: "notify", runs: ["prj_nowhere"] }] }, 400, "unknown_project"],
      [{ data: [{ kind: "action", name: "notify", runs: [] }] }, 400, "invalid_request"],
      [{ data: [{ kind: "action", name: "notify", runs: "some" }] }, 400, "invalid_request"],
      [{ data: [{ kind: "task", name: "notify", runs: "off" }] }, 400, "invalid_request"],
      [{ data: [{ kind: "action", name: "notify", runs: "off", extra: 1 }] }, 400, "invalid_request"],
      [
        {
          data: [
            { kind: "action", name: "notify", runs: "off" },
            { kind: "action", name: "notify", runs: "all" },
          ],
        },
        400,
        "invalid_request",
      ],
      [{ items: [] }, 400, "invalid_request"],
    ] as const;
    for (const [body, status, code] of refused) {
      const answer = await put(mine.configurationId, body);
      expect({ status: answer.status, code: answer.body.code }, JSON.stringify(body)).toEqual({
        status,
        code,
      });
      expect(typeof answer.body.message).toBe("string");
    }
    const foreign = await put(mine.configurationId, {
      data: [{ kind: "action", name: "notify", runs: [otherProjects[0]?.id] }],
    });
    expect(foreign.body.message).toContain(String(otherProjects[0]?.id));
    const kept = await call(`/api/v1/installations/${mine.configurationId}/runs`);
    expect(kept.body.data.find((i: { name: string }) => i.name === "branch").runs).toBe("off");
    expect(kept.body.data.find((i: { name: string }) => i.name === "notify").runs).toBe("all");
  });

  it("answers vercel_error, changing nothing, when the projects cannot be listed to check them", async () => {
    vercel.failNext({ status: 500, code: "internal_server_error", message: "try later" });
    const answer = await put(mine.configurationId, {
      data: [{ kind: "action", name: "notify", runs: [projects[0]?.id] }],
    });
    expect(answer.status).toBe(502);
    expect(answer.body.code).toBe("vercel_error");
    const kept = await call(`/api/v1/installations/${mine.configurationId}/runs`);
    expect(kept.body.data.find((i: { name: string }) => i.name === "notify").runs).toBe("all");
  });

  it("knows no installation that is not one, nor one removed, whose settings went with it", async () => {
    expect((await call("/api/v1/installations/icfg_nobody/runs")).status).toBe(404);
    expect((await put("icfg_nobody", { data: [] })).body.code).toBe("not_found");
    expect((await call("/api/v1/installations/a%2Fb/runs")).status).toBe(404);
    await put(theirs.configurationId, { data: [{ kind: "action", name: "branch", runs: "off" }] });
    expect((await call(`/api/v1/installations/${theirs.configurationId}`, { method: "DELETE" })).status).toBe(
      200,
    );
    expect((await call(`/api/v1/installations/${theirs.configurationId}/runs`)).status).toBe(404);
    expect((await put(theirs.configurationId, { data: [] })).status).toBe(404);
    expect((await t.deps.store.installations.get(theirs.configurationId))?.runSettings).toEqual([]);
    // The other installation's are still its own.
    const kept = await call(`/api/v1/installations/${mine.configurationId}/runs`);
    expect(kept.body.data.find((i: { name: string }) => i.name === "branch").runs).toBe("off");
  });

  it("needs the admin token", async () => {
    const res = await t.app.request(`/api/v1/installations/${mine.configurationId}/runs`, { method: "PUT" });
    expect(res.status).toBe(401);
  });
});
