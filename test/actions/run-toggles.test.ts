import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ActionRunner } from "../../src/actions/runner.js";
import type { RunSetting } from "../../src/core/run-settings.js";
import { api } from "../support/app.js";
import { type IntegrationApp, startIntegrationApp } from "../support/integration-app.js";
import { post, vercelSignature } from "../support/send.js";

// An installation's run settings at work: an action turned off for a deployment's project is
// reported succeeded without its executor (no call to its URL), saying so; a check turned off is
// never created in Vercel; one on for only project A runs for A and not for B (the action's
// project read from Vercel, as its start event does not name it); another installation's
// settings change nothing for this one's runs.

const suffix = Math.random().toString(36).slice(2, 8);
let t: IntegrationApp;
let runner: ActionRunner;
let hook: Server;
/** The requests the http action's URL received, by deployment id (from the event's body). */
const hookCalls: string[] = [];
let site: Server;
let host: string;
const mine = { id: "", teamId: "team_tog" };
const theirs = { id: "", teamId: "team_other" };

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      hookCalls.push(String(JSON.parse(body).payload?.deployment?.id));
      res
        .writeHead(200, { "content-type": "application/json" })
        .end('{"status":"succeeded","statusText":"Notified","secrets":[{"name":"TOKEN","value":"t"}]}');
    });
  });
  site = createServer((_req, res) => res.writeHead(200).end("ok"));
  hook.listen(0, "127.0.0.1");
  site.listen(0, "127.0.0.1");
  await Promise.all([once(hook, "listening"), once(site, "listening")]);
  host = `127.0.0.1:${(site.address() as AddressInfo).port}`;
  t = await startIntegrationApp({
    overrides: {
      actions: [
        { slug: "notify", kind: "http", url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/` },
      ],
      checks: [{ name: "Smoke test", kind: "http", url: "http://{deployment.url}/health" }],
    },
  });
  runner = t.app.actions as ActionRunner;
  for (const installation of [mine, theirs]) {
    const grant = t.vercel.makeCode(installation.teamId);
    const callback = await fetch(
      `${t.app.url}/integrations/vercel/callback?code=${grant.code}&configurationId=${grant.configurationId}&teamId=${installation.teamId}`,
    );
    expect(callback.status).toBe(200);
    installation.id = grant.configurationId;
  }
}, 60_000);

afterAll(async () => {
  await t?.close();
  hook?.close();
  site?.close();
});

beforeEach(async () => {
  for (const installation of [mine, theirs])
    await t.app.store.installations.setRunSettings(installation.id, [], Date.now());
});

const settings = (installation: { id: string }, items: RunSetting[]) =>
  t.app.store.installations.setRunSettings(installation.id, items, Date.now());

let sequence = 0;
function signed(event: Record<string, unknown>) {
  const body = JSON.stringify({ id: `evt_tog_${suffix}_${++sequence}`, createdAt: Date.now(), ...event });
  return post(`${t.app.url}/integrations/vercel/webhook`, body, {
    "x-vercel-signature": vercelSignature(body, t.vercel.clientSecret),
  });
}

/** A start of the `notify` action, as Vercel sends it: no project in it. */
async function start(installation: typeof mine, deploymentId: string) {
  const answer = await signed({
    type: "deployment.integration.action.start",
    payload: {
      installationId: installation.id,
      configuration: { id: installation.id },
      team: { id: installation.teamId },
      user: { id: t.vercel.userId },
      action: "notify",
      resourceId: "store_1",
      deployment: { id: deploymentId },
    },
  });
  expect(answer.status).toBe(200);
}

/** A deployment event of `installation`'s team about project `projectId`. */
async function deploymentEvent(type: string, installation: typeof mine, id: string, projectId: string) {
  const answer = await signed({
    type,
    payload: {
      team: { id: installation.teamId },
      user: { id: t.vercel.userId },
      deployment: { id, url: host, name: "app" },
      project: { id: projectId },
      target: "production",
    },
  });
  expect(answer.status).toBe(200);
}

/** Waits until the fake Vercel has this many updates of a deployment's action. */
async function updates(deploymentId: string, count: number) {
  while (t.vercel.deployments.updatesOf(deploymentId, "notify").length < count) await once(runner, "report");
  return t.vercel.deployments.updatesOf(deploymentId, "notify");
}

/** Waits until every run of a deployment (actions or checks) has nothing left to do. */
async function settled(kind: "actions" | "checks", deploymentId: string) {
  for (;;) {
    const runs = (await api(t.app, `/api/v1/${kind}?deployment=${deploymentId}`)).body.data as {
      id: string;
      status: string;
      statusText: string | null;
      checkId?: string | null;
      pending: string | null;
    }[];
    if (runs.length > 0 && runs.every((r) => r.pending === null)) return runs;
    await once(runner, "idle");
  }
}

const newDeployment = (installation: typeof mine, projectId: string) =>
  t.vercel.deployments.add(installation.teamId, { projectId }).id;

const checkPosts = (deploymentId: string) =>
  t.vercel.apiRequests.filter(
    (r) => r.method === "POST" && r.path === `/v1/deployments/${deploymentId}/checks`,
  );

describe("an action turned off", () => {
  it("is reported succeeded, saying so, with no outcomes and without calling its URL", async () => {
    await settings(mine, [{ kind: "action", name: "notify", runs: "off" }]);
    const deployment = t.vercel.deployments.add(mine.teamId, { projectId: "prj_a" }).id;
    await start(mine, deployment);
    const [report] = await updates(deployment, 1);
    expect(report).toMatchObject({
      status: "succeeded",
      statusText: "Turned off for this project in Switchyard",
    });
    expect(report).not.toHaveProperty("outcomes");
    expect(String(report?.statusUrl)).toMatch(/\/integrations\/vercel\/actions\/act_/);
    const [run] = await settled("actions", deployment);
    expect(run).toMatchObject({
      status: "succeeded",
      statusText: "Turned off for this project in Switchyard",
    });
    const shown = await api(t.app, `/api/v1/actions/${run?.id}`);
    expect((shown.body.steps as { text: string }[]).map((s) => s.text)).toEqual([
      "Turned off for this project in Switchyard",
    ]);
    await once(runner, "idle");
    expect(t.vercel.deployments.updatesOf(deployment, "notify")).toHaveLength(1);
    expect(hookCalls).not.toContain(deployment);
  });

  it("on for only project A: runs for A's deployment, and is turned off for B's (read from Vercel)", async () => {
    await settings(mine, [{ kind: "action", name: "notify", runs: ["prj_a"] }]);
    const forA = t.vercel.deployments.add(mine.teamId, { projectId: "prj_a" }).id;
    const forB = t.vercel.deployments.add(mine.teamId, { projectId: "prj_b" }).id;
    await start(mine, forA);
    await start(mine, forB);
    const [runningA, doneA] = await updates(forA, 2);
    expect(runningA).toMatchObject({ status: "running" });
    expect(doneA).toMatchObject({
      status: "succeeded",
      statusText: "Notified",
      outcomes: [{ kind: "resource-secrets", secrets: [{ name: "TOKEN", value: "t" }] }],
    });
    expect(hookCalls).toContain(forA);
    const [onlyB] = await updates(forB, 1);
    expect(onlyB).toMatchObject({
      status: "succeeded",
      statusText: "Turned off for this project in Switchyard",
    });
    await settled("actions", forB);
    expect(hookCalls).not.toContain(forB);
    // The project was asked of Vercel, as the start events did not name it.
    expect(
      t.vercel.apiRequests.some((r) => r.method === "GET" && r.path.endsWith(`/deployments/${forB}`)),
    ).toBe(true);
  });

  it("for another installation changes nothing for this one's runs", async () => {
    await settings(theirs, [{ kind: "action", name: "notify", runs: "off" }]);
    const deployment = t.vercel.deployments.add(mine.teamId, { projectId: "prj_a" }).id;
    await start(mine, deployment);
    const [, done] = await updates(deployment, 2);
    expect(done).toMatchObject({ status: "succeeded", statusText: "Notified" });
    expect(hookCalls).toContain(deployment);
  });

  it("fails, saying why, when Vercel cannot tell the deployment's project the choice depends on", async () => {
    await settings(mine, [{ kind: "action", name: "notify", runs: ["prj_a"] }]);
    const deployment = t.vercel.deployments.add(mine.teamId, { projectId: "prj_a" }).id;
    t.vercel.failNext({ status: 500, code: "internal_server_error", message: "try later" });
    await start(mine, deployment);
    const [report] = await updates(deployment, 1);
    expect(report).toMatchObject({ status: "failed" });
    expect(String(report?.statusText)).toContain(`Vercel did not show deployment ${deployment}`);
    expect(hookCalls).not.toContain(deployment);
  });
});

describe("a check turned off", () => {
  it("is never created in Vercel: its run ends canceled, saying so, with no report", async () => {
    await settings(mine, [{ kind: "check", name: "Smoke test", runs: "off" }]);
    const deployment = newDeployment(mine, "prj_a");
    await deploymentEvent("deployment.created", mine, deployment, "prj_a");
    const [run] = await settled("checks", deployment);
    expect(run).toMatchObject({
      status: "canceled",
      statusText: "Turned off for this project",
      checkId: null,
    });
    // A ready after it runs nothing either.
    await deploymentEvent("deployment.ready", mine, deployment, "prj_a");
    expect(await settled("checks", deployment)).toMatchObject([{ status: "canceled" }]);
    await once(runner, "idle");
    expect(t.vercel.apiRequests.filter((r) => r.path.includes(`/deployments/${deployment}/checks`))).toEqual(
      [],
    );
    const shown = await api(t.app, `/api/v1/checks/${run?.id}`);
    expect(shown.body.reports).toEqual([]);
  });

  it("on for only project A: created and run for A's deployment, not for B's", async () => {
    await settings(mine, [{ kind: "check", name: "Smoke test", runs: ["prj_a"] }]);
    const forA = newDeployment(mine, "prj_a");
    const forB = newDeployment(mine, "prj_b");
    await deploymentEvent("deployment.ready", mine, forA, "prj_a");
    await deploymentEvent("deployment.ready", mine, forB, "prj_b");
    expect(await settled("checks", forA)).toMatchObject([{ status: "succeeded" }]);
    expect(await settled("checks", forB)).toMatchObject([
      { status: "canceled", statusText: "Turned off for this project" },
    ]);
    expect(checkPosts(forA)).toHaveLength(1);
    expect(checkPosts(forB)).toHaveLength(0);
  });

  it("once created, and turned off before the deployment is ready, is concluded skipped so it holds nothing back", async () => {
    const deployment = newDeployment(mine, "prj_a");
    await deploymentEvent("deployment.created", mine, deployment, "prj_a");
    const [created] = await settled("checks", deployment);
    expect(created?.checkId).toMatch(/^chk_/);
    await settings(mine, [{ kind: "check", name: "Smoke test", runs: "off" }]);
    await deploymentEvent("deployment.ready", mine, deployment, "prj_a");
    expect(await settled("checks", deployment)).toMatchObject([{ status: "canceled" }]);
    // The fake keeps a check's conclusion null until one is reported.
    while ((t.vercel.deployments.checks.get(created?.checkId ?? "")?.conclusion ?? null) === null)
      await once(runner, "report");
    expect(t.vercel.deployments.checks.get(created?.checkId ?? "")?.conclusion).toBe("skipped");
  });

  it("for another installation changes nothing for this one's", async () => {
    await settings(theirs, [{ kind: "check", name: "Smoke test", runs: "off" }]);
    const deployment = newDeployment(mine, "prj_a");
    await deploymentEvent("deployment.ready", mine, deployment, "prj_a");
    expect(await settled("checks", deployment)).toMatchObject([{ status: "succeeded" }]);
    expect(checkPosts(deployment)).toHaveLength(1);
  });
});
