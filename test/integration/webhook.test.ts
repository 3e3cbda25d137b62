import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox } from "../../src/core/secret-box.js";
import { installationTokenContext } from "../../src/integration/token.js";
import { ADMIN_TOKEN, ENCRYPTION_KEY, startTestApp, type TestApp } from "../support/app.js";
import { post, vercelSignature } from "../support/send.js";
import { Sink } from "../support/sink.js";

// The integration's webhook: each event stored for the installations it belongs to, relayed to
// theirs only, lifecycle events acted on and never relayed.

const CLIENT_SECRET = "integration-client-secret";
const box = SecretBox.fromText(ENCRYPTION_KEY);
let app: TestApp;
let sink: Sink;

async function call(path: string, method = "GET", body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
}

function webhook(event: unknown, secret = CLIENT_SECRET) {
  const body = JSON.stringify(event);
  return post(`${app.url}/integrations/vercel/webhook`, body, {
    "x-vercel-signature": vercelSignature(body, secret),
  });
}

async function install(id: string, teamId: string | null, userId: string) {
  await app.store.installations.upsert(
    {
      id,
      teamId,
      userId,
      accessToken: box.seal(`token-of-${id}`, installationTokenContext(id)),
      scopes: ["read:project"],
      projects: "all",
    },
    Date.now(),
  );
}

let sequence = 0;
const event = (type: string, payload: Record<string, unknown>) => ({
  id: `evt_wh_${++sequence}`,
  type,
  createdAt: Date.now(),
  payload,
});

beforeAll(async () => {
  sink = await Sink.start();
  app = await startTestApp({
    delivery: { allowPrivateNetworks: true },
    integration: {
      slug: "switchyard",
      clientId: "oac_test123",
      clientSecret: CLIENT_SECRET,
      publicUrl: "http://127.0.0.1:1",
    },
  });
  await install("icfg_team", "team_a", "user_a");
  await install("icfg_personal", null, "user_b");
  const dest = await call("/api/v1/destinations?tenant=icfg_team", "POST", {
    slug: "endpoint",
    url: sink.url,
    signing: { scheme: "vercel" },
  });
  expect(dest.status).toBe(201);
  const route = await call("/api/v1/routes?tenant=icfg_team", "POST", {
    slug: "relay",
    source: "vercel-integration",
    destinations: ["endpoint"],
  });
  expect(route.status).toBe(201);
});
afterAll(async () => {
  await app.stop();
  await sink.close();
});

describe("the integration's webhook", () => {
  it("refuses a request not signed with the client secret, and is not served under /ingest", async () => {
    expect((await webhook(event("deployment.created", { team: { id: "team_a" } }), "wrong")).status).toBe(
      401,
    );
    const body = JSON.stringify(event("deployment.created", {}));
    const viaIngest = await post(`${app.url}/ingest/vercel-integration`, body, {
      "x-vercel-signature": vercelSignature(body, CLIENT_SECRET),
    });
    expect(viaIngest.status).toBe(404);
  });

  it("relays an installation's event, as sent, signed with the installation's own secret", async () => {
    const sent = event("deployment.created", { team: { id: "team_a" }, deployment: { id: "dpl_1" } });
    const accepted = await webhook(sent);
    expect(accepted.status).toBe(200);
    const [received] = await sink.waitFor(1);
    expect(received?.body.toString()).toBe(JSON.stringify(sent));
    expect(received?.headers["x-vercel-signature"]).toMatch(/^[0-9a-f]{40}$/);
    const listed = await call("/api/v1/events?tenant=icfg_team");
    expect(listed.body.data.map((e: { externalId: string }) => e.externalId)).toContain(sent.id);
    expect((await call("/api/v1/events")).body.data).toEqual([]);
  });

  it("stores an event once for each installation it names, and relays it only where a route takes it", async () => {
    const before = sink.received.length;
    const both = event("project.created", {
      installationIds: ["icfg_team", "icfg_personal"],
      project: { id: "p" },
    });
    expect((await webhook(both)).status).toBe(200);
    await sink.waitFor(before + 1);
    for (const tenant of ["icfg_team", "icfg_personal"]) {
      const listed = await call(`/api/v1/events?tenant=${tenant}`);
      expect(
        listed.body.data.map((e: { externalId: string }) => e.externalId),
        tenant,
      ).toContain(both.id);
    }
    // A personal account's events are found by its user.
    const personal = event("project.removed", { user: { id: "user_b" }, project: { id: "p" } });
    expect((await webhook(personal)).status).toBe(200);
    const mine = await call("/api/v1/events?tenant=icfg_personal");
    expect(mine.body.data.map((e: { externalId: string }) => e.externalId)).toContain(personal.id);
  });

  it("keeps an event no installation claims under unclaimed, unrelayed and counted", async () => {
    const stray = event("deployment.created", { team: { id: "team_nobody" } });
    expect((await webhook(stray)).status).toBe(200);
    const listed = await call("/api/v1/events?tenant=unclaimed");
    expect(listed.body.data.map((e: { externalId: string }) => e.externalId)).toContain(stray.id);
    const deliveries = await call(`/api/v1/deliveries?tenant=unclaimed`);
    expect(deliveries.body.data).toEqual([]);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/^switchyard_integration_unclaimed_events_total [1-9]/m);
  });

  it("acts on lifecycle events and never relays them; a removed installation's later events are not relayed", async () => {
    const before = sink.received.length;
    const scopes = event("integration-configuration.scope-change-confirmed", {
      team: { id: "team_a" },
      configuration: { id: "icfg_team", scopes: ["read:project", "read-write:deployment"] },
    });
    expect((await webhook(scopes)).status).toBe(200);
    expect((await call("/api/v1/installations/icfg_team")).body.scopes).toEqual([
      "read:project",
      "read-write:deployment",
    ]);
    const projects = event("integration-configuration.permission-upgraded", {
      team: { id: "team_a" },
      configuration: { id: "icfg_team", projectSelection: "selected", projects: ["prj_1"] },
    });
    expect((await webhook(projects)).status).toBe(200);
    expect((await call("/api/v1/installations/icfg_team")).body.projects).toEqual(["prj_1"]);

    const removed = event("integration-configuration.removed", {
      team: { id: "team_a" },
      configuration: { id: "icfg_team" },
    });
    expect((await webhook(removed)).status).toBe(200);
    const audit = await call("/api/v1/installations/icfg_team");
    expect(audit.body.status).toBe("removed");
    expect(audit.body.removed.events).toBeGreaterThan(0);
    expect((await call("/api/v1/events?tenant=icfg_team")).body.data).toEqual([]);
    expect((await call("/api/v1/destinations?tenant=icfg_team")).body.data).toEqual([]);
    // Vercel repeats it: nothing left to do, still 200.
    expect((await webhook(removed)).status).toBe(200);

    const later = event("deployment.created", { team: { id: "team_a" } });
    expect((await webhook(later)).status).toBe(200);
    const unclaimed = await call("/api/v1/events?tenant=unclaimed");
    expect(unclaimed.body.data.map((e: { externalId: string }) => e.externalId)).toContain(later.id);
    expect(sink.received.length).toBe(before);
  });
});
