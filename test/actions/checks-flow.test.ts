import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRunner } from "../../src/actions/runner.js";
import type { RecordedRequest } from "../../src/dev/fake-vercel-types.js";
import { api } from "../support/app.js";
import { type IntegrationApp, startIntegrationApp } from "../support/integration-app.js";
import { post, vercelSignature } from "../support/send.js";

// Deployment checks end to end: signed deployment events on the integration's webhook, the check
// created in the fake Vercel, the deployment (a local HTTP server) requested once it is ready,
// running then the conclusion PATCHed; a rerequest, a cancel, a timeout, target filtering.

const suffix = Math.random().toString(36).slice(2, 8);
let t: IntegrationApp;
let runner: ActionRunner;
let installation: { id: string; teamId: string };
let site: Server;
let host: string;
/** What the deployment answers on /health: a status and a body, or never (to time out). */
let health: { status: number; body: string } = { status: 200, body: "all ok" };

beforeAll(async () => {
  site = createServer((req, res) => {
    if (req.url === "/slow") return; // never answers
    res.writeHead(health.status, { "content-type": "text/plain" }).end(health.body);
  });
  site.listen(0, "127.0.0.1");
  await once(site, "listening");
  host = `127.0.0.1:${(site.address() as AddressInfo).port}`;
  t = await startIntegrationApp({
    overrides: {
      checks: [
        {
          name: "Smoke test",
          kind: "http",
          url: "http://{deployment.url}/health?d={deployment.id}",
          blocking: true,
          expect: { status: 200, bodyContains: "ok" },
        },
        {
          name: "Slow page",
          kind: "http",
          url: "http://{deployment.url}/slow",
          timeout: "300ms",
          targets: ["preview"],
        },
        { name: "Prod only", kind: "http", url: "http://{deployment.url}/health", targets: ["production"] },
      ],
    },
  });
  runner = t.app.actions as ActionRunner;
  const grant = t.vercel.makeCode("team_chk");
  const callback = await fetch(
    `${t.app.url}/integrations/vercel/callback?code=${grant.code}&configurationId=${grant.configurationId}&teamId=team_chk`,
  );
  expect(callback.status).toBe(200);
  installation = { id: grant.configurationId, teamId: "team_chk" };
}, 60_000);

afterAll(async () => {
  await t?.close();
  site?.close();
});

let sequence = 0;
/** Sends a signed deployment event of the installation's team. */
async function deploymentEvent(type: string, deploymentId: string, payload: Record<string, unknown> = {}) {
  const event = {
    id: `evt_chk_${suffix}_${++sequence}`,
    type,
    createdAt: Date.now(),
    payload: {
      team: { id: installation.teamId },
      user: { id: t.vercel.userId },
      deployment: { id: deploymentId, url: host, name: "app" },
      project: { id: "prj_a" },
      ...payload,
    },
  };
  const body = JSON.stringify(event);
  const response = await post(`${t.app.url}/integrations/vercel/webhook`, body, {
    "x-vercel-signature": vercelSignature(body, t.vercel.clientSecret),
  });
  expect(response.status).toBe(200);
  return response;
}

/** The fake Vercel's check API requests about a deployment, in order. */
const checkCalls = (deploymentId: string): RecordedRequest[] =>
  t.vercel.apiRequests.filter((r) => r.path.startsWith(`/v1/deployments/${deploymentId}/checks`));

/** Waits, on the runner's own events, until `get` gives something. */
async function until<T>(get: () => T | undefined | null | false): Promise<T> {
  for (;;) {
    const value = get();
    if (value) return value;
    await new Promise<void>((resolve) => {
      const done = () => {
        runner.off("report", done);
        runner.off("phase", done);
        resolve();
      };
      runner.on("report", done);
      runner.on("phase", done);
    });
  }
}

/** Waits until every check run of a deployment has nothing left to do, and gives them. */
async function settled(deploymentId: string) {
  for (;;) {
    const runs = (await api(t.app, `/api/v1/checks?deployment=${deploymentId}`)).body.data as {
      id: string;
      name: string;
      status: string;
      statusText: string | null;
      checkId: string | null;
      pending: string | null;
    }[];
    if (runs.length > 0 && runs.every((r) => r.pending === null)) return runs;
    await once(runner, "idle");
  }
}

const bodyOf = (r: RecordedRequest) => JSON.parse(r.body) as Record<string, unknown>;
const newDeployment = () => t.vercel.deployments.add(installation.teamId, { projectId: "prj_a" }).id;

describe("deployment checks", () => {
  it("creates the checks for the deployment's target on deployment.created", async () => {
    const deployment = newDeployment();
    expect((await deploymentEvent("deployment.created", deployment, { target: "production" })).status).toBe(
      200,
    );
    const runs = await settled(deployment);
    expect(runs.map((r) => r.name).sort()).toEqual(["Prod only", "Smoke test"]);
    const posts = checkCalls(deployment).filter((r) => r.method === "POST");
    expect(posts).toHaveLength(2);
    const smoke = runs.find((r) => r.name === "Smoke test");
    const post = posts.find((r) => bodyOf(r).name === "Smoke test");
    expect(post?.query.teamId).toBe(installation.teamId);
    expect(bodyOf(post as RecordedRequest)).toEqual({
      name: "Smoke test",
      blocking: true,
      rerequestable: true,
      detailsUrl: `${t.app.url}/integrations/vercel/checks/${smoke?.id}`,
      externalId: smoke?.id,
    });
    expect(smoke?.checkId).toMatch(/^chk_/);
    expect(smoke?.status).toBe("queued");
  });

  it("a preview deployment gets only the checks whose targets hold preview", async () => {
    const deployment = newDeployment();
    await deploymentEvent("deployment.created", deployment, { target: null });
    const runs = await settled(deployment);
    expect(runs.map((r) => r.name).sort()).toEqual(["Slow page", "Smoke test"]);
  });

  it("ready: running, then succeeded, once (the legacy ready changes nothing)", async () => {
    health = { status: 200, body: "all ok" };
    const deployment = newDeployment();
    await deploymentEvent("deployment.created", deployment, { target: "production" });
    await settled(deployment);
    await deploymentEvent("deployment.ready", deployment, { target: "production" });
    const runs = await settled(deployment);
    const smoke = runs.find((r) => r.name === "Smoke test");
    expect(smoke).toMatchObject({ status: "succeeded" });
    expect(smoke?.statusText).toMatch(/^GET 127\.0\.0\.1:\d+\/health answered 200 in \d+ ms$/);
    const patches = await until(() => {
      const p = checkCalls(deployment).filter(
        (r) => r.method === "PATCH" && r.path.endsWith(smoke?.checkId ?? "-"),
      );
      return p.length >= 2 && p;
    });
    expect(patches.map(bodyOf)).toEqual([
      { status: "running" },
      {
        status: "completed",
        conclusion: "succeeded",
        detailsUrl: `${t.app.url}/integrations/vercel/checks/${smoke?.id}`,
      },
    ]);
    expect(t.vercel.deployments.checks.get(smoke?.checkId ?? "")?.conclusion).toBe("succeeded");

    const before = checkCalls(deployment).length;
    await deploymentEvent("deployment-ready", deployment, { target: "production" });
    await deploymentEvent("deployment.ready", deployment, { target: "production" });
    await settled(deployment);
    await once(runner, "idle");
    expect(checkCalls(deployment)).toHaveLength(before);
  });

  it("a check that fails says why, and passes when Vercel asks for it again", async () => {
    health = { status: 503, body: "down" };
    const deployment = newDeployment();
    await deploymentEvent("deployment.ready", deployment, { target: "production" });
    let runs = await settled(deployment);
    const failed = runs.find((r) => r.name === "Smoke test");
    expect(failed).toMatchObject({ status: "failed" });
    expect(failed?.statusText).toMatch(/answered 503, expected 200$/);
    await until(() => t.vercel.deployments.checks.get(failed?.checkId ?? "")?.conclusion === "failed");

    health = { status: 200, body: "ok now" };
    await deploymentEvent("deployment.check-rerequested", deployment, { check: { id: failed?.checkId } });
    await until(() => t.vercel.deployments.checks.get(failed?.checkId ?? "")?.conclusion === "succeeded");
    runs = await settled(deployment);
    expect(runs.find((r) => r.name === "Smoke test")).toMatchObject({ id: failed?.id, status: "succeeded" });
    // Still the one check in Vercel: the rerequest ran the run again, it did not make another.
    expect(checkCalls(deployment).filter((r) => r.method === "POST")).toHaveLength(2);
  });

  it("a URL that does not answer in time fails, saying so", async () => {
    const deployment = newDeployment();
    await deploymentEvent("deployment.ready", deployment, { target: "preview" });
    const runs = await settled(deployment);
    const slow = runs.find((r) => r.name === "Slow page");
    expect(slow).toMatchObject({ status: "failed" });
    expect(slow?.statusText).toMatch(/\/slow did not answer within 300 ms$/);
    await until(() => t.vercel.deployments.checks.get(slow?.checkId ?? "")?.conclusion === "failed");
  });

  it("deployment.canceled concludes the deployment's checks canceled", async () => {
    const deployment = newDeployment();
    await deploymentEvent("deployment.created", deployment, { target: "production" });
    const created = await settled(deployment);
    await deploymentEvent("deployment.canceled", deployment, { target: "production" });
    const runs = await settled(deployment);
    expect(runs.map((r) => r.status)).toEqual(["canceled", "canceled"]);
    for (const run of created)
      await until(() => t.vercel.deployments.checks.get(run.checkId ?? "")?.conclusion === "canceled");
    // A ready that comes after runs nothing.
    await deploymentEvent("deployment.ready", deployment, { target: "production" });
    expect((await settled(deployment)).map((r) => r.status)).toEqual(["canceled", "canceled"]);
  });

  it("lists a check run and shows it with its steps and reports", async () => {
    const { body } = await api(t.app, "/api/v1/checks?status=succeeded&limit=1");
    const [first] = body.data as { id: string }[];
    expect(first).toBeDefined();
    const detail = await api(t.app, `/api/v1/checks/${first?.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ id: first?.id, status: "succeeded" });
    expect((detail.body.steps as { text: string }[]).map((s) => s.text)).toContain("Running");
    expect(await api(t.app, `/api/v1/actions/${first?.id}`)).toMatchObject({ status: 404 });
    expect((await api(t.app, "/api/v1/actions")).body.data).toEqual([]);
  });
});
