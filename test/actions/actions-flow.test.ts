import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRunner } from "../../src/actions/runner.js";
import { api, TEST_POSTGRES_URL } from "../support/app.js";
import { type IntegrationApp, startIntegrationApp } from "../support/integration-app.js";
import { post, vercelSignature } from "../support/send.js";

// Deployment integration actions end to end: a signed start event on the integration's webhook,
// a branch database cloned from a real PostgreSQL template, the URL reported to the fake Vercel
// (which really connects), repeats, reuse by git ref, cleanup, an action not configured here,
// and a report retried after a 429.

const suffix = Math.random().toString(36).slice(2, 8);
const TEMPLATE = `sy_tpl_${suffix}`;
const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} });
let t: IntegrationApp;
let runner: ActionRunner;
let installation: { id: string; teamId: string };
let hook: Server;
let hookUrl: string;
let hookReply: { status: number; body: string } = {
  status: 200,
  body: '{"status":"succeeded","secrets":[{"name":"TOKEN","value":"t0k3n"}]}',
};

// Branch databases already on the server when the suite starts (an interrupted earlier run's,
// on a server the test runs share): not this run's to count.
let foreign = new Set<string>();

beforeAll(async () => {
  foreign = new Set(await branchDatabases());
  await admin.unsafe(`CREATE DATABASE ${TEMPLATE}`);
  const tpl = postgres(TEST_POSTGRES_URL.replace(/\/[^/]*$/, `/${TEMPLATE}`), { max: 1, onnotice: () => {} });
  await tpl`CREATE TABLE items (id int primary key, name text)`;
  await tpl`INSERT INTO items VALUES (1, 'from the template')`;
  await tpl.end();
  hook = createServer((req, res) => {
    req.resume();
    req.on("end", () =>
      res.writeHead(hookReply.status, { "content-type": "application/json" }).end(hookReply.body),
    );
  });
  hook.listen(0, "127.0.0.1");
  await once(hook, "listening");
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/action`;
  t = await startIntegrationApp({
    overrides: {
      actions: [
        { slug: "branch", kind: "postgres-branch", postgres: { url: TEST_POSTGRES_URL, template: TEMPLATE } },
        { slug: "notify", kind: "http", url: hookUrl, timeout: "5s" },
      ],
    },
  });
  runner = t.app.actions as ActionRunner;
  const grant = t.vercel.makeCode("team_act");
  const callback = await fetch(
    `${t.app.url}/integrations/vercel/callback?code=${grant.code}&configurationId=${grant.configurationId}&teamId=team_act`,
  );
  expect(callback.status).toBe(200);
  installation = { id: grant.configurationId, teamId: "team_act" };
}, 60_000);

afterAll(async () => {
  await t?.close();
  hook?.close();
  const left = await admin<
    { datname: string }[]
  >`SELECT datname FROM pg_database WHERE datname LIKE 'sy\\_%' AND datname <> ${TEMPLATE}`;
  for (const { datname } of left) {
    const comment =
      await admin`SELECT shobj_description(oid, 'pg_database') AS c FROM pg_database WHERE datname = ${datname}`;
    if (String(comment[0]?.c ?? "").includes(installation?.id ?? "none"))
      await admin.unsafe(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  const roles = await admin<
    { rolname: string }[]
  >`SELECT rolname FROM pg_roles WHERE rolname LIKE 'sy\\_%' AND shobj_description(oid, 'pg_authid') LIKE ${`%${installation?.id ?? "none"}%`}`;
  for (const { rolname } of roles) await admin.unsafe(`DROP ROLE IF EXISTS "${rolname}"`);
  await admin.unsafe(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
  await admin.end();
});

let sequence = 0;
function actionEvent(phase: "start" | "cancel" | "cleanup", deploymentId: string, action = "branch") {
  const event = {
    id: `evt_act_${suffix}_${++sequence}`,
    type: `deployment.integration.action.${phase}`,
    createdAt: Date.now(),
    payload: {
      installationId: installation.id,
      configuration: { id: installation.id },
      team: { id: installation.teamId },
      user: { id: t.vercel.userId },
      action,
      resourceId: "store_1",
      deployment: { id: deploymentId },
    },
  };
  const body = JSON.stringify(event);
  return post(`${t.app.url}/integrations/vercel/webhook`, body, {
    "x-vercel-signature": vercelSignature(body, t.vercel.clientSecret),
  });
}

/** Waits until the fake Vercel has this many updates of a deployment's action, as the runner reports them. */
async function updates(deploymentId: string, count: number, action = "branch") {
  while (t.vercel.deployments.updatesOf(deploymentId, action).length < count) await once(runner, "report");
  return t.vercel.deployments.updatesOf(deploymentId, action);
}

/** Waits until the runner has done a phase of a run of this deployment and gone idle. */
async function settled(deploymentId: string) {
  for (;;) {
    const runs = (await api(t.app, `/api/v1/actions?deployment=${deploymentId}`)).body.data as {
      pending: string | null;
    }[];
    if (runs.length > 0 && runs.every((r) => r.pending === null)) return runs;
    await once(runner, "idle");
  }
}

/** The branch databases on the server, but those it had before this run. */
async function branchDatabases(): Promise<string[]> {
  const rows = await admin<
    { datname: string }[]
  >`SELECT datname FROM pg_database WHERE datname LIKE 'sy\\_%' AND datname <> ${TEMPLATE}`;
  return rows.map((r) => r.datname).filter((name) => !foreign.has(name));
}

describe("postgres-branch", () => {
  let first: string;
  let url: string;

  it("branches a database for a start, reports running then succeeded with a URL that connects", async () => {
    first = t.vercel.deployments.add(installation.teamId, { projectId: "prj_a", gitRef: "feat/login" }).id;
    expect((await actionEvent("start", first)).status).toBe(200);
    const [running, succeeded] = await updates(first, 2);
    expect(running).toMatchObject({ status: "running" });
    expect(succeeded).toMatchObject({ status: "succeeded" });
    const secrets = (
      (succeeded?.outcomes ?? []) as { kind: string; secrets: { name: string; value: string }[] }[]
    )[0];
    expect(secrets?.kind).toBe("resource-secrets");
    expect(secrets?.secrets[0]?.name).toBe("DATABASE_URL");
    url = secrets?.secrets[0]?.value ?? "";
    expect(String(succeeded?.statusUrl)).toMatch(/\/integrations\/vercel\/actions\/act_/);
    const branch = postgres(url, { max: 1, onnotice: () => {} });
    try {
      expect(await branch`SELECT name FROM items`).toEqual([{ name: "from the template" }]);
    } finally {
      await branch.end();
    }
  });

  it("does nothing twice for a repeated start, and reuses the branch for the same git ref", async () => {
    const before = await branchDatabases();
    expect((await actionEvent("start", first)).status).toBe(200);
    await settled(first);
    expect(t.vercel.deployments.updatesOf(first, "branch")).toHaveLength(2);
    const second = t.vercel.deployments.add(installation.teamId, {
      projectId: "prj_a",
      gitRef: "feat/login",
    }).id;
    await actionEvent("start", second);
    const [, done] = await updates(second, 2);
    const reused = ((done?.outcomes ?? []) as { secrets: { value: string }[] }[])[0]?.secrets[0]?.value;
    expect(reused).toBe(url);
    expect(await branchDatabases()).toEqual(before);
    // Cleanup of one keeps what the other still uses; of the last, drops it.
    await actionEvent("cleanup", first);
    await settled(first);
    expect(await branchDatabases()).toEqual(before);
    await actionEvent("cleanup", second);
    await settled(second);
    expect(await branchDatabases()).toEqual([]);
  });

  it("shows each run with its steps and report attempts in the API, never the secret", async () => {
    const listed = await api(t.app, `/api/v1/actions?installation=${installation.id}&deployment=${first}`);
    expect(listed.status).toBe(200);
    const [run] = listed.body.data as { id: string; status: string }[];
    expect(run?.status).toBe("cleaned");
    const shown = await api(t.app, `/api/v1/actions/${run?.id}`);
    expect(shown.status).toBe(200);
    expect((shown.body.steps as unknown[]).length).toBeGreaterThan(2);
    expect((shown.body.reports as { state: string }[]).map((r) => r.state)).toEqual(["sent", "sent"]);
    expect(JSON.stringify(shown.body)).not.toContain(url);
  });
});

describe("what is refused or retried", () => {
  it("reports an action not configured here as failed, saying so", async () => {
    const deployment = t.vercel.deployments.add(installation.teamId, { projectId: "prj_a" }).id;
    await actionEvent("start", deployment, "teleport");
    const [failed] = await updates(deployment, 1, "teleport");
    expect(failed).toMatchObject({
      status: "failed",
      statusText: 'The action "teleport" is not configured on this server',
    });
  });

  it("retries a report Vercel answered 429, and reports it once", async () => {
    const deployment = t.vercel.deployments.add(installation.teamId, { projectId: "prj_a" }).id;
    t.vercel.failNext({ status: 429, headers: { "retry-after": "1" } });
    await actionEvent("start", deployment, "notify");
    const [running, done] = await updates(deployment, 2, "notify");
    expect(running).toMatchObject({ status: "running" });
    expect(done).toMatchObject({
      status: "succeeded",
      outcomes: [{ kind: "resource-secrets", secrets: [{ name: "TOKEN", value: "t0k3n" }] }],
    });
    const run = (
      (await api(t.app, `/api/v1/actions?deployment=${deployment}`)).body.data as { id: string }[]
    )[0];
    const shown = await api(t.app, `/api/v1/actions/${run?.id}`);
    const attempts = (shown.body.reports as { attempts: { status: number }[] }[])[0]?.attempts.map(
      (a) => a.status,
    );
    expect(attempts).toEqual([429, 202]);
  });

  it("reports the http action's failure as the URL said it", async () => {
    hookReply = { status: 200, body: '{"status":"failed","statusText":"Tests are red"}' };
    const deployment = t.vercel.deployments.add(installation.teamId, { projectId: "prj_a" }).id;
    await actionEvent("start", deployment, "notify");
    const [, failed] = await updates(deployment, 2, "notify");
    expect(failed).toMatchObject({ status: "failed", statusText: "Tests are red" });
  });
});
